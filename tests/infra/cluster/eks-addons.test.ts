import * as pulumi from "@pulumi/pulumi";
import { EKS_ADDON_VERSIONS } from "../../../infra/config/eks-versions";
import { dependsOn, input, ofType, one, runStack, StackRun } from "../../harness";

/**
 * Dev's new cluster: an explicit upgrade policy, the networking add-ons as pinned EKS add-ons, and
 * the plan's warning once the pinned version has left standard support (the clock is set to a day
 * after 1.35's end of standard support, 2027-03-27).
 */
let run: StackRun;
const warnings: string[] = [];
beforeAll(async () => {
  jest.useFakeTimers({ now: new Date("2027-04-01T12:00:00Z"), doNotFake: ["nextTick", "setImmediate", "clearImmediate", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "queueMicrotask"] });
  jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
    warnings.push(message);
  });
  run = await runStack({ stack: "dev" });
  jest.useRealTimers();
});

const cluster = () => one(run, "aws:eks/cluster:Cluster");

test("the upgrade policy is explicit, and EKS installs no unmanaged add-ons of its own", () => {
  expect(input(cluster(), "upgradePolicy")).toEqual({ supportType: "STANDARD" });
  expect(input(cluster(), "bootstrapSelfManagedAddons")).toBe(false);
});

test("vpc-cni, kube-proxy and coredns are EKS add-ons at the versions pinned for the cluster's version", () => {
  const addons = ofType(run, "aws:eks/addon:Addon");
  const pinned = EKS_ADDON_VERSIONS[input<string>(cluster(), "version")];
  // metrics-server and amazon-cloudwatch-observability are pinned by their own config keys.
  const versioned = addons.filter((a) => !["metrics-server", "amazon-cloudwatch-observability"].includes(input(a, "addonName")));
  expect(Object.fromEntries(versioned.map((a) => [input(a, "addonName"), input(a, "addonVersion")]))).toEqual(pinned);
  for (const a of addons) expect(input(a, "clusterName")).toBe(input(cluster(), "name"));
});

test("nodes wait for pod networking; CoreDNS waits for nodes; the workloads' provider waits for all three", () => {
  const nodeGroups = ofType(run, "aws:eks/nodeGroup:NodeGroup");
  expect(nodeGroups.length).toBeGreaterThanOrEqual(2);
  const addon = (n: string) => ofType(run, "aws:eks/addon:Addon").find((a) => input(a, "addonName") === n)!;
  for (const nodeGroup of nodeGroups) {
    expect(dependsOn(nodeGroup, addon("vpc-cni"))).toBe(true);
    expect(dependsOn(nodeGroup, addon("kube-proxy"))).toBe(true);
    expect(dependsOn(addon("coredns"), nodeGroup)).toBe(true);
  }
  const k8s = one(run, "pulumi:providers:kubernetes", "cluster-k8s");
  for (const n of ["vpc-cni", "kube-proxy", "coredns"]) expect(dependsOn(k8s, addon(n))).toBe(true);
});

test("the plan warns that the pinned version has left standard support", () => {
  expect(warnings).toContainEqual(expect.stringMatching(/^Kubernetes 1\.35 left EKS standard support on 2027-03-27/));
});
