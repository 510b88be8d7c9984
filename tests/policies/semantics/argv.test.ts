import { flagValue } from "../../../policies/semantics/argv";

describe("flagValue", () => {
  it("reads every spelling a Go or klog flag parser takes", () => {
    expect(flagValue(["./ca", "--max-graceful-termination-sec=45"], "max-graceful-termination-sec")).toBe("45");
    expect(flagValue(["./ca", "-max-graceful-termination-sec=45"], "max-graceful-termination-sec")).toBe("45");
    expect(flagValue(["./ca", "--max-graceful-termination-sec", "10"], "max-graceful-termination-sec")).toBe("10");
    expect(flagValue(["./ca", "-max-graceful-termination-sec", "10", "--v=2"], "max-graceful-termination-sec")).toBe("10");
  });
  it("takes the last occurrence, as the parser does", () => {
    expect(flagValue(["--a=1", "--b=2", "--a", "3"], "a")).toBe("3");
  });
  it("reads a bare boolean flag as true, and nothing for a flag that is absent or only a prefix of another", () => {
    expect(flagValue(["--balance-similar-node-groups", "--v=2"], "balance-similar-node-groups")).toBe("true");
    expect(flagValue(["--max-graceful-termination-sec-extra=5"], "max-graceful-termination-sec")).toBeUndefined();
    expect(flagValue([], "x")).toBeUndefined();
  });
});
