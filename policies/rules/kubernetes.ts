import type { apps, core, policy as k8sPolicy } from "@pulumi/kubernetes/types/input";
import { Policies, PolicyResource } from "@pulumi/policy";
import { environmentConfig, ifKnown, isProd, stackAwsProvider, isSet, list, num, ofType, Props, resourceRule, siblings, stackRule, TYPES, unknownAt } from "./common";

type Workload = Props<apps.v1.Deployment>;
type PodSpec = Props<core.v1.PodSpec>;
type Container = Props<core.v1.Container>;
type Service = Props<core.v1.Service>;
type Pdb = Props<k8sPolicy.v1.PodDisruptionBudget>;

export const podSpecOf = (p: Workload): PodSpec => (p.spec?.template?.spec ?? {}) as PodSpec;
const containersOf = (s: PodSpec): Container[] => list(s.containers as Container[] | undefined);
const allContainersOf = (s: PodSpec): Container[] => [...list(s.initContainers as Container[] | undefined), ...containersOf(s)];

/** The tag of an image reference, "" when untagged; undefined for a digest-pinned image. */
export function imageTag(image: string): string | undefined {
  if (image.includes("@sha256:")) return undefined;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  return colon === -1 ? "" : image.slice(colon + 1);
}

export const kubernetesPolicies: Policies = [
  resourceRule<Workload>({
    name: "k8s-probes",
    description: "Every workload container has a readinessProbe and a livenessProbe.",
    enforcementLevel: "mandatory",
    types: TYPES.workload,
    validate: (p, { args }, report) => {
      for (const c of containersOf(podSpecOf(p))) {
        const missing = [c.readinessProbe ? "" : "readinessProbe", c.livenessProbe ? "" : "livenessProbe"].filter(Boolean);
        if (missing.length > 0) report(`Container "${c.name}" of "${args.name}" has no ${missing.join(" or ")}.`);
      }
    },
  }),
  resourceRule<Workload>({
    name: "k8s-resources",
    description: "Every workload container requests CPU and memory and has a memory limit (CPU limit optional by config).",
    enforcementLevel: "mandatory",
    types: TYPES.workload,
    config: {
      requireCpuLimit: { type: "boolean", default: false, description: "Also require a CPU limit (off by default: CPU limits throttle latency-sensitive servers)." },
    },
    validate: (p, { args, config }, report) => {
      for (const c of containersOf(podSpecOf(p))) {
        const requests = (c.resources?.requests ?? {}) as Record<string, unknown>;
        const limits = (c.resources?.limits ?? {}) as Record<string, unknown>;
        const missing = [
          isSet(requests.cpu) ? "" : "requests.cpu",
          isSet(requests.memory) ? "" : "requests.memory",
          isSet(limits.memory) ? "" : "limits.memory",
          config.requireCpuLimit === true && !isSet(limits.cpu) ? "limits.cpu" : "",
        ].filter(Boolean);
        if (missing.length > 0) report(`Container "${c.name}" of "${args.name}" is missing resources ${missing.join(", ")}.`);
      }
    },
  }),
  resourceRule<Workload>({
    name: "k8s-run-as-non-root",
    description: "Workload containers run as non-root (runAsNonRoot, never uid 0), unprivileged, without privilege escalation.",
    enforcementLevel: "mandatory",
    types: TYPES.workload,
    validate: (p, { args }, report) => {
      const pod = podSpecOf(p);
      for (const c of allContainersOf(pod)) {
        const sc = c.securityContext ?? {};
        const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
        const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
        const where = `Container "${c.name}" of "${args.name}"`;
        if (nonRoot !== true) report(`${where} does not set runAsNonRoot: true (pod or container securityContext).`);
        if (num(uid) === 0) report(`${where} runs as uid 0.`);
        if (sc.privileged === true) report(`${where} is privileged.`);
        if (sc.allowPrivilegeEscalation === true) report(`${where} allows privilege escalation.`);
      }
    },
  }),
  resourceRule<Workload>({
    name: "k8s-image-pinned",
    description: "Container images carry an explicit tag other than latest, or a digest.",
    enforcementLevel: "mandatory",
    types: TYPES.workload,
    validate: (p, { args }, report) => {
      for (const c of allContainersOf(podSpecOf(p))) {
        if (typeof c.image !== "string") continue;
        const tag = imageTag(c.image);
        if (tag === "" || tag === "latest") report(`Container "${c.name}" of "${args.name}" uses image "${c.image}" (${tag ? "latest" : "no tag"}); pin a version tag or digest.`);
      }
    },
  }),
  resourceRule<Service>({
    name: "k8s-no-loadbalancer-service",
    description: "No Kubernetes Service of type LoadBalancer: traffic enters only through the managed edge (CloudFront/ALB/NLB).",
    enforcementLevel: "mandatory",
    types: TYPES.service,
    validate: (p, { args }, report) => {
      if (p.spec?.type === "LoadBalancer") report(`Service "${args.name}" is of type LoadBalancer; use ClusterIP or NodePort behind the edge load balancers.`);
    },
  }),
  stackRule({
    name: "k8s-prod-replicas",
    description: "In prod, every Deployment runs at least the configured number of replicas (its HPA's minReplicas when autoscaled).",
    enforcementLevel: "mandatory",
    config: { ...environmentConfig, minReplicas: { type: "integer", minimum: 1, default: 2, description: "Least replicas per Deployment in prod." } },
    validate: (resources, { config }, report) => {
      const min = Number(config.minReplicas);
      const hpas = ofType(resources, TYPES.horizontalPodAutoscaler);
      for (const d of ofType(resources, TYPES.deployment)) {
        if (!isProd(config, { urn: d.urn, provider: stackAwsProvider(resources) })) continue;
        const name = ifKnown(() => (d.props as Workload).metadata?.name);
        const nameUnknown = unknownAt(() => (d.props as Workload).metadata?.name);
        const targetOf = (h: PolicyResource) => ifKnown(() => ({ ...(h.props.spec?.scaleTargetRef ?? {}) }) as { kind?: string; name?: string });
        const forDeployments = (ref: { kind?: string } | undefined) => ref !== undefined && (ref.kind === undefined || ref.kind === "Deployment");
        const hpa = hpas.find((h) => {
          const ref = targetOf(h);
          if (!forDeployments(ref)) return false;
          return name !== undefined && ref!.name !== undefined ? ref!.name === name : siblings(h, d);
        });
        // An HPA whose target (or this Deployment's name) is unknown during preview might be this Deployment's.
        const undecided = !hpa && hpas.some((h) => targetOf(h) === undefined || (nameUnknown && forDeployments(targetOf(h))));
        if (undecided) continue;
        const replicas = hpa ? ifKnown(() => num(hpa.props.spec?.minReplicas) ?? 1) : ifKnown(() => num((d.props as Workload).spec?.replicas) ?? 1);
        if (replicas !== undefined && replicas < min) {
          report(`Deployment "${d.name}" in a prod stack runs ${replicas} replica(s)${hpa ? ` (HPA "${hpa.name}" minReplicas)` : ""}; at least ${min} are required.`, d.urn);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-pdb-per-deployment",
    description: "Every Deployment is covered by a PodDisruptionBudget (same namespace, selector matching its pod labels, minAvailable or maxUnavailable set).",
    enforcementLevel: "mandatory",
    validate: (resources, _ctx, report) => {
      const pdbs = ofType(resources, TYPES.podDisruptionBudget);
      for (const d of ofType(resources, TYPES.deployment)) {
        const labels = ifKnown(() => (d.props as Workload).spec?.template?.metadata?.labels as Record<string, string> | undefined);
        if (!labels) continue; // labels unknown during preview: not decidable
        const ns = ifKnown(() => (d.props as Workload).metadata?.namespace);
        const covering = pdbs.filter((pdb: PolicyResource) => {
          const spec = ifKnown(() => (pdb.props as Pdb).spec);
          const match = (spec?.selector?.matchLabels ?? undefined) as Record<string, string> | undefined;
          if (!match || Object.keys(match).length === 0) return false;
          const pdbNs = ifKnown(() => (pdb.props as Pdb).metadata?.namespace);
          if (typeof ns === "string" && typeof pdbNs === "string" && ns !== pdbNs) return false;
          return Object.entries(match).every(([k, v]) => labels[k] === v);
        });
        const undecided = pdbs.some((pdb) => unknownAt(() => JSON.stringify((pdb.props as Pdb).spec?.selector)) || unknownAt(() => (pdb.props as Pdb).metadata?.namespace));
        if (covering.length === 0 && undecided) continue;
        if (covering.length === 0) {
          report(`Deployment "${d.name}" has no PodDisruptionBudget whose selector matches its pod labels ${JSON.stringify(labels)}.`, d.urn);
          continue;
        }
        const bounded = covering.some((pdb) => ifKnown(() => isSet((pdb.props as Pdb).spec?.minAvailable) || isSet((pdb.props as Pdb).spec?.maxUnavailable)) !== false);
        if (!bounded) report(`PodDisruptionBudget "${covering[0].name}" for Deployment "${d.name}" sets neither minAvailable nor maxUnavailable.`, covering[0].urn);
      }
    },
  }),
];
