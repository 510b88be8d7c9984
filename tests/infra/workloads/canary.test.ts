import { parseStackConfig } from "../../../infra/config/schema";
import { loadConfig } from "../../../app/src/config";
import { appCanaryPodsServiceSpec, appDeploymentSpec, appPdbSpec, appPodsServiceSpec, appServiceSpec } from "../../../infra/workloads/app";
import { networkPolicySpecs } from "../../../infra/workloads/network-policies";

/** The canary track's Deployment and Service: own image and pods, same environment (one limiter), never in the stable selectors. */
const config = parseStackConfig(
  {
    "aws:region": "eu-west-1",
    "edgestack:domain": "example.com",
    "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy",
    "edgestack:appImage": "registry.example.com/app:1.0.0",
    "edgestack:canaryImage": "registry.example.com/app:1.1.0",
    "edgestack:canaryReplicas": "2",
    "edgestack:canaryWeightPercent": "5",
  },
  "test",
);
const stable = appDeploymentSpec(config, "app-redis", [config.vpcCidr]) as any;
const canary = appDeploymentSpec(config, "app-redis", [config.vpcCidr], "canary") as any;
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

test("the canary runs canaryImage with canaryReplicas, TRACK=canary, and otherwise the stable pods' environment (same Redis: one limiter)", () => {
  expect(canary.template.spec.containers[0].image).toBe("registry.example.com/app:1.1.0");
  expect(canary.replicas).toBe(2);
  const env = (spec: any) => spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: unknown }[];
  expect(env(canary).filter((e) => e.name !== "TRACK")).toEqual(env(stable));
  expect(env(canary).find((e) => e.name === "TRACK")?.value).toBe("canary");
  // The app accepts it and logs it.
  expect(loadConfig({ ...Object.fromEntries(env(canary).filter((e) => e.value !== undefined).map((e) => [e.name, e.value])) }, () => "redis://127.0.0.1:6379").track).toBe("canary");
  expect(stable.template.spec.containers[0].image).toBe("registry.example.com/app:1.0.0");
});

test("no stable selector matches a canary pod, the canary Service matches only canary pods, and the NetworkPolicies cover both", () => {
  const canaryPod = canary.template.metadata.labels;
  const stablePod = stable.template.metadata.labels;
  expect(matches(canary.selector.matchLabels, canaryPod)).toBe(true);
  for (const sel of [stable.selector.matchLabels, appPodsServiceSpec().selector as Record<string, string>, appServiceSpec(config).selector as Record<string, string>]) {
    expect(matches(sel, canaryPod)).toBe(false);
    expect(matches(sel, stablePod)).toBe(true);
  }
  const canaryService = appCanaryPodsServiceSpec();
  expect([canaryService.clusterIP, matches(canaryService.selector as Record<string, string>, canaryPod), matches(canaryService.selector as Record<string, string>, stablePod)]).toEqual(["None", true, false]);
  const policies = networkPolicySpecs({ vpcCidrs: ["10.0.0.0/16"], privateSubnetCidrs: ["10.0.1.0/24"], redisPort: 6379 });
  for (const name of ["app-from-nginx", "app-to-redis"]) {
    const sel = (policies.find((p) => p.name === name)!.spec.podSelector as any).matchLabels;
    expect([name, matches(sel, canaryPod), matches(sel, stablePod)]).toEqual([name, true, true]);
  }
});

test("the canary has its own PodDisruptionBudget, selecting exactly its pods", () => {
  const pdb = appPdbSpec("canary") as any;
  expect(pdb.maxUnavailable).toBe(1);
  expect(matches(pdb.selector.matchLabels, canary.template.metadata.labels)).toBe(true);
  expect(matches(pdb.selector.matchLabels, stable.template.metadata.labels)).toBe(false);
  expect(matches((appPdbSpec() as any).selector.matchLabels, canary.template.metadata.labels)).toBe(false);
});

test("every NetworkPolicy treats a canary pod as a stable one (served, probed, scraped, Redis), for every nginx tier; the canary exposes the metrics port", () => {
  const canaryPod = canary.template.metadata.labels;
  const stablePod = stable.template.metadata.labels;
  const policies = networkPolicySpecs({ vpcCidrs: ["10.0.0.0/16"], privateSubnetCidrs: ["10.0.1.0/24"], redisPort: 6379, extraNginxTiers: ["nginx-green"] });
  const selectors: [string, Record<string, string>][] = [];
  for (const p of policies) {
    const spec = p.spec as any;
    selectors.push([`${p.name} podSelector`, spec.podSelector.matchLabels ?? {}]);
    for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
      for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) if (peer.podSelector !== undefined && peer.namespaceSelector === undefined) selectors.push([`${p.name} peer`, peer.podSelector.matchLabels]);
    }
  }
  const appSelectors = selectors.filter(([, sel]) => matches(sel, stablePod));
  expect(appSelectors.map(([where]) => where)).toEqual(expect.arrayContaining(["app-from-nginx podSelector", "app-metrics-from-scraper podSelector", "app-to-redis podSelector", "nginx-to-app peer", "nginx-green-to-app peer"]));
  for (const [where, sel] of selectors) expect([where, matches(sel, canaryPod)]).toEqual([where, matches(sel, stablePod)]);
  const ports = (spec: any) => spec.template.spec.containers[0].ports;
  expect(ports(canary)).toEqual(ports(stable));
  expect(ports(canary).map((p: { name: string }) => p.name)).toContain("metrics");
});
