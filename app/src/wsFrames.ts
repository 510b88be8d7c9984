/**
 * Counts the WebSocket frames a peer sends, whatever their type (text, binary, continuation, ping,
 * pong, close), by walking the frame headers (RFC 6455 §5.2) of the raw bytes and skipping the
 * payloads. `ws` reports whole messages and control frames as events but answers pings by itself
 * and assembles fragments silently, so a budget counted from its events misses the frames a flood
 * is made of. Pure: no I/O; O(frames), not O(bytes).
 */
export class FrameCounter {
  /** Header bytes of the frame being read (at most 14: 2 + 8 extended length + 4 mask). */
  private header = Buffer.alloc(14);
  private headerLength = 0;
  /** Payload bytes of the current frame still to skip. */
  private payloadLeft = 0;

  /** Feeds received bytes; returns how many frame headers were completed in them. */
  push(chunk: Buffer): number {
    let frames = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.payloadLeft > 0) {
        const skip = Math.min(this.payloadLeft, chunk.length - i);
        this.payloadLeft -= skip;
        i += skip;
        continue;
      }
      this.header[this.headerLength++] = chunk[i++]!;
      const needed = this.headerSize();
      if (needed === undefined || this.headerLength < needed) continue;
      this.payloadLeft = this.payloadSize();
      this.headerLength = 0;
      frames++;
    }
    return frames;
  }

  /** Bytes of the current header once its second byte is known. */
  private headerSize(): number | undefined {
    if (this.headerLength < 2) return undefined;
    const b1 = this.header[1]!;
    const length = b1 & 0x7f;
    const mask = b1 & 0x80 ? 4 : 0;
    return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + mask;
  }

  private payloadSize(): number {
    const length = this.header[1]! & 0x7f;
    if (length === 126) return this.header.readUInt16BE(2);
    // Lengths beyond 2^53 cannot be skipped exactly, but ws refuses anything over maxPayload long before.
    if (length === 127) return Number(this.header.readBigUInt64BE(2));
    return length;
  }
}
