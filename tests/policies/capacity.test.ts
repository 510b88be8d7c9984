import { capacityCases } from "./fixtures/capacity";
import { runCases } from "./fixtures/run";
import { userDataMaxPods } from "../../policies/rules/capacity";

runCases(capacityCases);

describe("userDataMaxPods", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  it("reads the kubelet's max pods from nodeadm YAML or JSON and bootstrap.sh flags, base64 or plain", () => {
    expect(userDataMaxPods(b64("kind: NodeConfig\nspec:\n  kubelet:\n    config:\n      maxPods: 17\n"))).toBe(17);
    expect(userDataMaxPods(b64('{"spec":{"kubelet":{"config":{"maxPods":9}}}}'))).toBe(9);
    expect(userDataMaxPods("/etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=11'")).toBe(11);
    expect(userDataMaxPods(b64("#!/bin/bash\necho hi\n"))).toBeUndefined();
    expect(userDataMaxPods(undefined)).toBeUndefined();
  });
});
