import { groupEligibility, nodeGroupLabels, nodeSelectionMatches, requirementMatches, untoleratedTaints } from "../../../policies/semantics/scheduling";

const group = { amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND", instanceTypes: ["m6i.large"], labels: { "edgestack.io/pool": "default" } };

describe("untoleratedTaints", () => {
  const taints = [
    { key: "dedicated", value: "infra", effect: "NoSchedule" },
    { key: "spot", value: "", effect: "PreferNoSchedule" },
  ];
  it("a taint with a scheduling effect needs a matching toleration", () => {
    expect(untoleratedTaints(undefined, taints)).toEqual([taints[0]]);
    expect(untoleratedTaints([{ key: "dedicated", operator: "Equal", value: "infra", effect: "NoSchedule" }], taints)).toEqual([]);
  });
  it("Equal compares values (the default operator); Exists does not", () => {
    expect(untoleratedTaints([{ key: "dedicated", value: "other" }], taints)).toHaveLength(1);
    expect(untoleratedTaints([{ key: "dedicated", operator: "Exists" }], taints)).toEqual([]);
  });
  it("a toleration's effect must be the taint's when set", () => {
    expect(untoleratedTaints([{ key: "dedicated", operator: "Exists", effect: "NoExecute" }], taints)).toHaveLength(1);
  });
  it("an empty key with Exists tolerates everything; an empty key with Equal tolerates nothing", () => {
    expect(untoleratedTaints([{ operator: "Exists" }], taints)).toEqual([]);
    expect(untoleratedTaints([{ operator: "Equal", value: "infra" }], taints)).toHaveLength(1);
  });
  it("PreferNoSchedule never keeps a pod off", () => {
    expect(untoleratedTaints([], [taints[1]!])).toEqual([]);
  });
});

describe("node labels and selection", () => {
  const labels = nodeGroupLabels(group);
  it("knows the group's labels and the ones EKS and the kubelet add", () => {
    expect(labels.known).toMatchObject({ "edgestack.io/pool": "default", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "eks.amazonaws.com/capacityType": "ON_DEMAND", "node.kubernetes.io/instance-type": "m6i.large" });
    expect(nodeGroupLabels({ ...group, amiType: "AL2023_ARM_64_STANDARD" }).known["kubernetes.io/arch"]).toBe("arm64");
  });
  it("labels set per node, or a generated group name, are maybe", () => {
    expect(requirementMatches({ key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1a"] }, labels)).toBe("maybe");
    expect(requirementMatches({ key: "eks.amazonaws.com/nodegroup", operator: "In", values: ["infra"] }, labels)).toBe("maybe");
    expect(requirementMatches({ key: "eks.amazonaws.com/nodegroup", operator: "In", values: ["infra"] }, nodeGroupLabels({ ...group, nodeGroupName: "apps" }))).toBe(false);
  });
  it("labels user data may add are maybe", () => {
    const withUserData = nodeGroupLabels(group, "--kubelet-extra-args '--node-labels=role=infra'");
    expect(requirementMatches({ key: "role", operator: "In", values: ["infra"] }, withUserData)).toBe("maybe");
    expect(requirementMatches({ key: "role", operator: "In", values: ["infra"] }, labels)).toBe(false);
  });
  it("operators In, NotIn, Exists, DoesNotExist, Gt, Lt", () => {
    const r = (operator: string, values?: string[], key = "edgestack.io/pool") => requirementMatches({ key, operator, values }, labels);
    expect([r("In", ["default"]), r("In", ["gpu"]), r("NotIn", ["default"]), r("NotIn", ["gpu"])]).toEqual([true, false, false, true]);
    expect([r("Exists"), r("DoesNotExist"), r("Exists", [], "gpu"), r("DoesNotExist", [], "gpu")]).toEqual([true, false, false, true]);
    const numbered = nodeGroupLabels({ ...group, labels: { generation: "6" } });
    expect(requirementMatches({ key: "generation", operator: "Gt", values: ["5"] }, numbered)).toBe(true);
    expect(requirementMatches({ key: "generation", operator: "Lt", values: ["5"] }, numbered)).toBe(false);
  });
  it("nodeSelector entries are ANDed, affinity terms ORed", () => {
    expect(nodeSelectionMatches({ nodeSelector: { "edgestack.io/pool": "default", "kubernetes.io/os": "linux" } }, labels)).toBe(true);
    expect(nodeSelectionMatches({ nodeSelector: { "edgestack.io/pool": "default", "kubernetes.io/arch": "arm64" } }, labels)).toBe(false);
    const affinity = (values: string[][]) => ({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: values.map((v) => ({ matchExpressions: [{ key: "edgestack.io/pool", operator: "In", values: v }] })) } } },
    });
    expect(nodeSelectionMatches(affinity([["gpu"], ["default"]]), labels)).toBe(true);
    expect(nodeSelectionMatches(affinity([["gpu"], ["batch"]]), labels)).toBe(false);
    // Preferred affinity never rules a node out.
    expect(nodeSelectionMatches({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: "x", operator: "In", values: ["y"] }] } }] } } }, labels)).toBe(true);
  });
});

describe("groupEligibility", () => {
  it("names the taint a pod does not tolerate, and says it is the taint alone", () => {
    const e = groupEligibility({}, { ...group, taints: [{ key: "dedicated", value: "infra", effect: "NO_SCHEDULE" }] });
    expect(e).toMatchObject({ eligible: false, byTaintsOnly: true });
    expect(e.reason).toMatch(/dedicated=infra:NoSchedule/);
  });
  it("a selector no label matches rules the group out", () => {
    expect(groupEligibility({ nodeSelector: { "edgestack.io/pool": "gpu" } }, group)).toMatchObject({ eligible: false });
  });
  it("a pod with no constraints runs on an untainted group", () => {
    expect(groupEligibility({}, group)).toEqual({ eligible: true });
  });
});
