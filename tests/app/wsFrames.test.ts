import { FrameCounter } from "../../app/src/wsFrames";
import { maskedFrame } from "../harness/wsFlood";

/** A masked frame of any opcode (ping 0x9, pong 0xA, continuation 0x0 …), `fin` set or not. */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const f = maskedFrame(payload);
  f[0] = (fin ? 0x80 : 0) | opcode;
  return f;
}

test("counts every frame, whatever its type and length, across any split of the bytes", () => {
  const frames = [
    frame(0x9, Buffer.alloc(0)),
    frame(0xa, Buffer.from("pong")),
    frame(0x1, Buffer.alloc(10), false),
    frame(0x0, Buffer.alloc(200), false),
    frame(0x0, Buffer.alloc(70_000)),
    frame(0x2, Buffer.alloc(125)),
    frame(0x8, Buffer.from([0x03, 0xe8])),
  ];
  const all = Buffer.concat(frames);
  expect(new FrameCounter().push(all)).toBe(frames.length);
  for (const size of [1, 2, 3, 7, 1000]) {
    const counter = new FrameCounter();
    let counted = 0;
    for (let i = 0; i < all.length; i += size) counted += counter.push(all.subarray(i, i + size));
    expect(counted).toBe(frames.length);
  }
  // A header not yet complete is not counted.
  expect(new FrameCounter().push(frames[4]!.subarray(0, 5))).toBe(0);
});
