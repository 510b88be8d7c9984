import { contentHash, sha256 } from "../../../infra/workloads/hash";

describe("contentHash", () => {
  it("is the first 10 hex digits of the SHA-256", () => {
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(contentHash("abc")).toBe("ba7816bf8f");
  });

  it("changes with any change of content", () => {
    expect(contentHash("worker_processes auto;\n")).not.toBe(contentHash("worker_processes 2;\n"));
  });
});
