/**
 * Rules on what the kubelet and the API server make of the workloads, beyond the fields a pod spec states: limits that
 * bound something, the nginx configuration the pods really load, manifests the plan cannot show, quotas and limit
 * ranges that refuse the stack's own pods, the environment as the kubelet builds it (ConfigMaps included), DNS that
 * stays inside, and access logs without credentials.
 */
import { Policies, PolicyResource } from "@pulumi/policy";
import { HEADERS, nodeAllocatable, nodeCapacity, surgePods } from "@edgestack/contract";
import { containerEnvironments } from "./viewer";
import { cpuCores, debuggerFlag, memoryBytes, preloadFromPath, tlsWeakening, DEBUG_OPTION_VARS } from "./kubernetes";
import { podTemplateOf, POD_TYPES } from "./podsecurity";
import { ifKnown, list, num, ofType, parentName, stackRule, TYPES, unknownAt } from "./common";
import { blocksNamed, directivesNamed, parseNginx, walkBlocks } from "../semantics/nginx";
import { literalCredential } from "../semantics/credentials";
import { PUBLIC_V4, PUBLIC_V6, reaches } from "../semantics/cidr";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});
/** Plain JSON of a resource's inputs; undefined while any of it is unknown (preview). */
const snapshot = (r: PolicyResource): Json | undefined => ifKnown(() => JSON.parse(JSON.stringify(r.props ?? {})) as Json);
const namespaceOf = (p: Json) => String(obj(p.metadata).namespace ?? "default");
const podSpecOf = (r: PolicyResource, p: Json): Json => obj(podTemplateOf(r.type, p).spec);
const containersOf = (spec: Json): Json[] => [...list(spec.initContainers as Json[] | undefined), ...list(spec.containers as Json[] | undefined)].map(obj);

/** The largest node the stack's node groups may launch (allocatable CPU in cores, memory and root disk in bytes), or undefined. */
export function largestNode(resources: PolicyResource[]): { cpu: number; memory: number; disk: number } | undefined {
  const types: string[] = [];
  for (const g of ofType(resources, ["aws:eks/nodeGroup:NodeGroup"])) types.push(...list(ifKnown(() => g.props.instanceTypes as string[] | undefined)).map(String));
  for (const t of ofType(resources, TYPES.launchTemplate)) {
    const it = ifKnown(() => t.props.instanceType);
    if (typeof it === "string") types.push(it);
  }
  const sizes = types.map((t) => nodeCapacity(t)).filter((c): c is NonNullable<typeof c> => c !== undefined).map((c) => nodeAllocatable(c));
  if (sizes.length === 0) return undefined;
  // The nodes' disk: the launch templates' root volumes, else a node group's diskSize (GiB); EKS's default is 20 GiB.
  const disks: number[] = [];
  for (const t of ofType(resources, TYPES.launchTemplate)) for (const m of list(ifKnown(() => t.props.blockDeviceMappings as Json[] | undefined)).map(obj)) disks.push(num(obj(m.ebs).volumeSize) ?? 0);
  for (const g of ofType(resources, ["aws:eks/nodeGroup:NodeGroup"])) disks.push(num(ifKnown(() => g.props.diskSize)) ?? 0);
  const disk = Math.max(...disks, 0) || 20;
  return { cpu: Math.max(...sizes.map((s) => s.cpuMillis)) / 1000, memory: Math.max(...sizes.map((s) => s.memoryBytes)), disk: disk * 2 ** 30 };
}

/**
 * nginx's own argv from a container's command and args: a shell's `-c` script (`sh -c "exec nginx -c …"`) is split
 * into words from its nginx word on (quotes removed); otherwise the argv as given.
 */
export function nginxArgv(argv: readonly string[]): string[] {
  if (/(^|\/)(ba|da|a)?sh$/.test(argv[0] ?? "") && argv[1] === "-c" && typeof argv[2] === "string") {
    const words = [...argv[2].matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
    const at = words.findIndex((w) => /(^|\/)nginx$/.test(w));
    if (at < 0) return [];
    const rest = words.slice(at);
    const end = rest.findIndex((w) => /^(&&|;|\|\|?)$/.test(w));
    return end < 0 ? rest : rest.slice(0, end);
  }
  return [...argv];
}

/** Directives an nginx command line adds with -g that bring in text the pack never sees (include, load_module). */
export function globalDirectivesIncluding(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === "-g" && /\b(include|load_module)\b/.test(argv[i + 1] ?? "")) out.push(argv[i + 1]!);
  return out;
}

/** The path nginx reads its configuration from, by its argv (`-c file`), else the image's default. */
export function nginxConfPath(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-c") return argv[i + 1] ?? "";
    if (argv[i]!.startsWith("-c") && argv[i]!.length > 2 && !argv[i]!.startsWith("--")) return argv[i]!.slice(2);
  }
  return "/etc/nginx/nginx.conf";
}

/** Files of the nginx image an include may name: data tables, never server or location blocks. */
const IMAGE_DATA_INCLUDES = /^(\/etc\/nginx\/)?(mime\.types|fastcgi_params|fastcgi\.conf|uwsgi_params|scgi_params|koi-utf|koi-win|win-utf)$/;

/** Whether a container runs nginx itself (its image or its command), not a sidecar named after it (an exporter). */
export function runsNginx(c: Json): boolean {
  const image = String(c.image ?? "");
  const repo = image.replace(/[@:][^/]*$/, "").split("/").pop() ?? "";
  const command = list(c.command as unknown[] | undefined).map(String);
  return /^nginx(-unprivileged)?$/.test(repo) || /^(openresty|nginx-plus)$/.test(repo) || /(^|\/)nginx$/.test(command[0] ?? "");
}

/**
 * The ConfigMap and key a file path of a container comes from (a configMap volume, or a projected volume's configMap
 * source, mounted at a directory above it or at the file by subPath), or why not.
 */
export function configMapFileOf(c: Json, spec: Json, path: string): { configMap: string; key: string } | string {
  const mounts = list(c.volumeMounts as Json[] | undefined).map(obj);
  const volumes = list(spec.volumes as Json[] | undefined).map(obj);
  // The longest mount path that holds the file wins (a mount hides what lies under it in the image).
  const mount = mounts
    .filter((m) => typeof m.mountPath === "string" && (path === m.mountPath || path.startsWith(`${String(m.mountPath).replace(/\/$/, "")}/`)))
    .sort((a, b) => String(b.mountPath).length - String(a.mountPath).length)[0];
  if (!mount) return `${path} is a file of the image, not of any mounted volume`;
  const volume = volumes.find((v) => v.name === mount.name);
  if (!volume) return `${path} is on volume "${String(mount.name)}", which the pod does not declare`;
  const rel = path === mount.mountPath ? String(mount.subPath ?? "") : path.slice(String(mount.mountPath).replace(/\/$/, "").length + 1);
  const fromItems = (items: unknown, file: string): string | undefined => {
    const entries = list(items as Json[] | undefined).map(obj);
    if (entries.length === 0) return file;
    return entries.find((i) => String(i.path) === file) ? String(entries.find((i) => String(i.path) === file)!.key) : undefined;
  };
  const cm = obj(volume.configMap);
  if (typeof cm.name === "string") {
    const key = fromItems(cm.items, rel);
    return key === undefined ? `${path}: volume "${String(volume.name)}" maps no item to ${rel}` : { configMap: cm.name, key };
  }
  for (const source of list(obj(volume.projected).sources as Json[] | undefined).map(obj)) {
    const src = obj(source.configMap);
    if (typeof src.name !== "string") continue;
    const key = fromItems(src.items, rel);
    if (key !== undefined && (list(src.items as unknown[]).length > 0 || key === rel)) return { configMap: src.name, key };
  }
  return `${path} is on volume "${String(volume.name)}", which is no ConfigMap of the plan (${Object.keys(volume).filter((k) => k !== "name").join(", ") || "no source"})`;
}

/** nginx variables that carry a credential of the client or of the edge: an access log keeping them keeps the secret. */
export const CREDENTIAL_LOG_VARIABLES = /\$(http_authorization|http_proxy_authorization|http_cookie|cookie_\w+|http_x_api_key|http_x_origin_verify|http_x_amz_security_token|request_body|sent_http_set_cookie|upstream_http_set_cookie|upstream_cookie_\w+|remote_user)\b/g;

/** Component types whose objects a real deployment registers as resources of their own kinds (or installs in the cluster). */
export const MANIFEST_TYPES = [
  "kubernetes:yaml:ConfigFile",
  "kubernetes:yaml:ConfigGroup",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:helm.sh/v3:Chart",
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:kustomize:Directory",
  "kubernetes:kustomize/v2:Directory",
];

/** The namespace's pods and resources at peak: each workload at its HPA's maximum (else replicas) plus its rollout surge. */
function namespaceDemand(resources: PolicyResource[], namespace: string): { pods: number; cpuRequests: number; memoryRequests: number; cpuLimits: number; memoryLimits: number } | undefined {
  const out = { pods: 0, cpuRequests: 0, memoryRequests: 0, cpuLimits: 0, memoryLimits: 0 };
  const hpas = ofType(resources, TYPES.horizontalPodAutoscaler).map(snapshot);
  if (hpas.some((h) => h === undefined)) return undefined;
  for (const r of ofType(resources, [...TYPES.podTemplate, ...TYPES.pod])) {
    if (r.type === "kubernetes:core/v1:PodTemplate" || r.type === "kubernetes:batch/v1:Job") continue;
    const p = snapshot(r);
    if (!p) return undefined;
    if (namespaceOf(p) !== namespace) continue;
    const spec = obj(p.spec);
    const name = obj(p.metadata).name;
    const kind = r.type.split(":").pop();
    let pods = 1;
    if (r.type !== "kubernetes:core/v1:Pod" && kind !== "DaemonSet") {
      const replicas = num(spec.replicas) ?? 1;
      const maxima = hpas.filter((h) => obj(obj(h!.spec).scaleTargetRef).name === name && obj(obj(h!.spec).scaleTargetRef).kind === kind && namespaceOf(h!) === namespace).map((h) => num(obj(h!.spec).maxReplicas) ?? 0);
      const most = Math.max(replicas, ...maxima);
      const strategy = obj(spec.strategy);
      const surge = (() => {
        try {
          return kind === "Deployment" && strategy.type !== "Recreate" ? surgePods(obj(strategy.rollingUpdate).maxSurge, most) : 0;
        } catch {
          return 0; // a malformed surge: the API server refuses it
        }
      })();
      pods = most + surge;
    }
    const podSpec = podSpecOf(r, p);
    const sum = (field: "requests" | "limits", resource: "cpu" | "memory") =>
      list(podSpec.containers as Json[] | undefined).reduce((n, c) => n + ((resource === "cpu" ? cpuCores : memoryBytes)(obj(obj(obj(c).resources)[field])[resource]) ?? 0), 0);
    out.pods += pods;
    out.cpuRequests += pods * sum("requests", "cpu");
    out.memoryRequests += pods * sum("requests", "memory");
    out.cpuLimits += pods * sum("limits", "cpu");
    out.memoryLimits += pods * sum("limits", "memory");
  }
  return out;
}

export const workloadEffectPolicies: Policies = [
  stackRule({
    name: "k8s-limits-in-effect",
    description:
      "Every container's limits bound something: a memory or CPU limit no larger than the largest node the stack's node groups may launch (a larger limit never stops the container before it starves its neighbours and the node), and every emptyDir volume has a sizeLimit (without one a pod fills the node's disk, or with medium Memory its memory, and the kubelet evicts every pod of the node). Node sizes come from the node groups' and launch templates' instance types (@edgestack/contract nodeCapacity); without any, the node bound is not judged.",
    enforcementLevel: "mandatory",
    judges: POD_TYPES,
    validate: (resources, _ctx, report) => {
      const node = largestNode(resources);
      for (const r of ofType(resources, POD_TYPES)) {
        const p = snapshot(r);
        if (!p) continue;
        const spec = podSpecOf(r, p);
        for (const v of list(spec.volumes as Json[] | undefined).map(obj)) {
          if (v.emptyDir === undefined) continue;
          const size = memoryBytes(obj(v.emptyDir).sizeLimit);
          const medium = obj(v.emptyDir).medium === "Memory" ? "memory" : "disk";
          if (size === undefined) report(`"${r.name}" mounts emptyDir "${String(v.name)}" without a sizeLimit: a pod can fill the node's ${medium} and get every pod of the node evicted.`, r.urn);
          else if (node && size >= (medium === "memory" ? node.memory : node.disk)) report(`"${r.name}" mounts emptyDir "${String(v.name)}" with a sizeLimit of ${String(obj(v.emptyDir).sizeLimit)}, as large as the node's ${medium}: the limit bounds nothing.`, r.urn);
        }
        if (!node) continue;
        for (const c of containersOf(spec)) {
          const limits = obj(obj(c.resources).limits);
          const memory = memoryBytes(limits.memory);
          const cpu = cpuCores(limits.cpu);
          if (memory !== undefined && memory > node.memory) report(`Container "${String(c.name)}" of "${r.name}" has a memory limit of ${String(limits.memory)}, above the largest node's allocatable ${Math.floor(node.memory / 2 ** 20)} MiB: the limit never stops it before the node runs out.`, r.urn);
          if (cpu !== undefined && cpu > node.cpu) report(`Container "${String(c.name)}" of "${r.name}" has a CPU limit of ${String(limits.cpu)}, above the largest node's allocatable ${node.cpu} cores: no limit in effect.`, r.urn);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-volume-claims-encrypted",
    description:
      "Every volume the stack claims dynamically is encrypted: a PersistentVolumeClaim, a pod's generic ephemeral volume (volumeClaimTemplate) or a StatefulSet's volumeClaimTemplates names a StorageClass the plan declares that provisions encrypted EBS (parameters.encrypted \"true\") or a non-EBS provisioner; a claim of an unencrypted EBS class, or of no class or one the plan does not declare (the cluster's default: EKS's gp2, unencrypted unless the account encrypts by default, which the stack does not set), is reported. Claims bound to a named PersistentVolume (volumeName, or storageClassName \"\") provision nothing and are judged by k8s-no-host-storage.",
    enforcementLevel: "mandatory",
    judges: ["kubernetes:core/v1:PersistentVolumeClaim", ...POD_TYPES],
    validate: (resources, _ctx, report) => {
      const classes = new Map<string, string | undefined>();
      for (const sc of ofType(resources, ["kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes:storage.k8s.io/v1beta1:StorageClass"])) {
        const p = snapshot(sc);
        if (!p) return; // a class known only after deployment may be the one claimed
        const provisioner = String(p.provisioner ?? "");
        const ebs = /^(ebs\.csi\.aws\.com|kubernetes\.io\/aws-ebs)$/.test(provisioner);
        const encrypted = String(obj(p.parameters).encrypted ?? "").trim().toLowerCase() === "true";
        classes.set(String(obj(p.metadata).name ?? sc.name), ebs && !encrypted ? `StorageClass "${sc.name}" provisions EBS (${provisioner}) unencrypted` : undefined);
      }
      const judge = (claim: Json, owner: PolicyResource, what: string) => {
        if (typeof claim.volumeName === "string" && claim.volumeName !== "") return;
        const cls = claim.storageClassName;
        if (cls === "") return;
        const why = typeof cls !== "string" ? "it names no StorageClass: the cluster's default (EKS's gp2, unencrypted) provisions it" : !classes.has(cls) ? `StorageClass "${cls}" is not the plan's: the cluster's (EKS's gp2 is unencrypted) provisions it` : classes.get(cls);
        if (why) report(`${what} of "${owner.name}" claims a volume that is not encrypted: ${why}. Claim an encrypted class of the stack.`, owner.urn);
      };
      for (const pvc of ofType(resources, ["kubernetes:core/v1:PersistentVolumeClaim"])) {
        const p = snapshot(pvc);
        if (p) judge(obj(p.spec), pvc, "PersistentVolumeClaim");
      }
      for (const r of ofType(resources, POD_TYPES)) {
        const p = snapshot(r);
        if (!p) continue;
        for (const v of list(podSpecOf(r, p).volumes as Json[] | undefined).map(obj)) {
          const template = obj(obj(v.ephemeral).volumeClaimTemplate);
          if (v.ephemeral !== undefined) judge(obj(template.spec), r, `Ephemeral volume "${String(v.name)}"`);
        }
        for (const t of list(obj(p.spec).volumeClaimTemplates as Json[] | undefined).map(obj)) judge(obj(t.spec), r, `volumeClaimTemplate "${String(obj(t.metadata).name)}"`);
      }
    },
  }),
  stackRule({
    name: "nginx-loads-judged-conf",
    description:
      "Every nginx container (an nginx, nginx-unprivileged or openresty image, or a command starting nginx) loads its configuration from a ConfigMap of the plan: the file its argv names (-c, else the image's /etc/nginx/nginx.conf) lies on a mounted configMap (or projected configMap) volume whose ConfigMap the plan declares in the pod's namespace with that key. The nginx rules judge the ConfigMaps of the plan; a pod that starts with the image's own configuration, or a file of another volume, runs a configuration nobody judged (no real-IP trust gates, limits, TLS or headers).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.workload, ...TYPES.configMap],
    validate: (resources, _ctx, report) => {
      const configMaps = new Map<string, Json | undefined>();
      // A ConfigMap known only after deployment may be the one mounted: the rule then judges nothing yet.
      if (ofType(resources, TYPES.configMap).some((cm) => snapshot(cm) === undefined)) return;
      for (const cm of ofType(resources, TYPES.configMap)) {
        const p = snapshot(cm);
        if (!p) continue;
        configMaps.set(`${namespaceOf(p)}/${String(obj(p.metadata).name ?? cm.name)}`, obj(p.data));
      }
      // The judged configuration must be all of it: an include brings in files no rule reads (the image's conf.d,
      // or a writable mount anyone in the pod can fill), except the image's read-only data tables.
      for (const cm of ofType(resources, TYPES.configMap)) {
        const text = ifKnown(() => obj(cm.props.data)["nginx.conf"]);
        if (typeof text !== "string") continue;
        for (const { block } of walkBlocks(parseNginx(text))) {
          for (const args of directivesNamed(block, "include")) {
            if (!IMAGE_DATA_INCLUDES.test(args[0] ?? "")) report(`nginx.conf of ConfigMap "${cm.name}" includes ${args[0]}: files outside the judged configuration (the image's, or a writable mount's) become part of what runs.`, cm.urn);
          }
        }
      }
      for (const r of ofType(resources, TYPES.workload)) {
        const p = snapshot(r);
        if (!p) continue;
        const spec = podSpecOf(r, p);
        for (const c of list(spec.containers as Json[] | undefined).map(obj)) {
          if (!runsNginx(c)) continue;
          const argv = nginxArgv([...list(c.command as unknown[] | undefined), ...list(c.args as unknown[] | undefined)].map(String));
          for (const g of globalDirectivesIncluding(argv)) report(`Container "${String(c.name)}" of "${r.name}" adds -g "${g}" to nginx's command line: it loads text no rule judged.`, r.urn);
          const path = nginxConfPath(argv);
          const source = configMapFileOf(c, spec, path);
          if (typeof source === "string") {
            report(`Container "${String(c.name)}" of "${r.name}" starts nginx with ${path}, but ${source}: the configuration the pods run is not one the pack judged (the generated nginx.conf is not loaded).`, r.urn);
            continue;
          }
          const data = configMaps.get(`${namespaceOf(p)}/${source.configMap}`);
          if (data === undefined || typeof data[source.key] !== "string") report(`Container "${String(c.name)}" of "${r.name}" loads ${path} from ConfigMap "${source.configMap}" key "${source.key}", which the plan does not declare in namespace ${namespaceOf(p)}: the configuration it runs is not judged.`, r.urn);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-manifests-in-plan",
    description:
      "A manifest component (yaml ConfigFile/ConfigGroup, kustomize Directory, helm Chart) shows its objects in the plan as resources of their own kinds, so the rules judge each one: a component without any child resource in the plan (a remote component planned under mocks, a file or URL read only at deploy time) applies objects no rule sees. Declare the objects as typed resources (or render them so the plan carries them).",
    enforcementLevel: "mandatory",
    judges: MANIFEST_TYPES,
    validate: (resources, _ctx, report) => {
      for (const m of ofType(resources, MANIFEST_TYPES)) {
        const children = resources.filter((r) => parentName(r) === m.name);
        if (children.length > 0) continue;
        const p = snapshot(m) ?? {};
        const source = ["file", "files", "url", "directory", "chart", "repositoryOpts"].filter((k) => p[k] !== undefined);
        const inline = ["yaml", "objs"].filter((k) => p[k] !== undefined);
        report(`${m.type.split(":").pop()} "${m.name}" applies ${inline.length > 0 ? `inline manifests (${inline.join(", ")})` : `manifests from ${source.map((k) => `${k} ${JSON.stringify(p[k])}`).join(", ") || "a source the plan does not show"}`} whose objects are not resources of the plan: no rule judges what they grant, expose or run.`, m.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-quotas-admit-workloads",
    description:
      "No ResourceQuota or LimitRange refuses the stack's own pods: a ResourceQuota's hard pods, cpu/requests.cpu, memory/requests.memory, limits.cpu and limits.memory admit every workload of its namespace at peak (HPA maxReplicas, else replicas, plus the rollout surge), and a LimitRange's Container max is at least, and min at most, every container's limits and requests of its namespace (maxLimitRequestRatio respected). A quota or range that does not admits them turns the next rollout, scale-out or node drain into an outage (the pods are refused at admission).",
    enforcementLevel: "mandatory",
    judges: ["kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange"],
    validate: (resources, _ctx, report) => {
      for (const q of ofType(resources, ["kubernetes:core/v1:ResourceQuota"])) {
        const p = snapshot(q);
        if (!p) continue;
        const ns = namespaceOf(p);
        const demand = namespaceDemand(resources, ns);
        if (!demand) continue;
        const hard = obj(obj(p.spec).hard);
        const checks: [string, number, (v: unknown) => number | undefined][] = [
          ["pods", demand.pods, num],
          ["cpu", demand.cpuRequests, cpuCores],
          ["requests.cpu", demand.cpuRequests, cpuCores],
          ["memory", demand.memoryRequests, memoryBytes],
          ["requests.memory", demand.memoryRequests, memoryBytes],
          ["limits.cpu", demand.cpuLimits, cpuCores],
          ["limits.memory", demand.memoryLimits, memoryBytes],
        ];
        for (const [key, need, read] of checks) {
          if (hard[key] === undefined) continue;
          const cap = read(typeof hard[key] === "string" && key === "pods" ? Number(hard[key]) : hard[key]);
          if (cap !== undefined && cap < need) report(`ResourceQuota "${q.name}" caps ${key} in namespace ${ns} at ${String(hard[key])}, below what its workloads need at peak (${key.includes("memory") ? `${Math.ceil(need / 2 ** 20)}Mi` : need}): rollouts, scale-outs and drains are refused at admission.`, q.urn);
        }
      }
      for (const lr of ofType(resources, ["kubernetes:core/v1:LimitRange"])) {
        const p = snapshot(lr);
        if (!p) continue;
        const ns = namespaceOf(p);
        const ranges = list(obj(p.spec).limits as Json[] | undefined).map(obj).filter((l) => l.type === "Container");
        for (const r of ofType(resources, POD_TYPES)) {
          const w = snapshot(r);
          if (!w || namespaceOf(w) !== ns) continue;
          for (const c of containersOf(podSpecOf(r, w))) {
            const res = obj(c.resources);
            for (const range of ranges) {
              for (const [resource, read] of [["cpu", cpuCores], ["memory", memoryBytes]] as const) {
                const limit = read(obj(res.limits)[resource]);
                const request = read(obj(res.requests)[resource]);
                const max = read(obj(range.max)[resource]);
                const min = read(obj(range.min)[resource]);
                const ratio = num(obj(range.maxLimitRequestRatio)[resource]) ?? Number(obj(range.maxLimitRequestRatio)[resource] ?? NaN);
                const why =
                  max !== undefined && limit !== undefined && limit > max ? `its ${resource} limit ${String(obj(res.limits)[resource])} is above the range's max ${String(obj(range.max)[resource])}`
                  : min !== undefined && request !== undefined && request < min ? `its ${resource} request ${String(obj(res.requests)[resource])} is below the range's min ${String(obj(range.min)[resource])}`
                  : Number.isFinite(ratio) && limit !== undefined && request !== undefined && request > 0 && limit / request > ratio ? `its ${resource} limit/request ratio ${(limit / request).toFixed(1)} is above the range's maxLimitRequestRatio ${ratio}`
                  : undefined;
                if (why) report(`LimitRange "${lr.name}" refuses container "${String(c.name)}" of "${r.name}" in namespace ${ns}: ${why}; its next pods are refused at admission.`, lr.urn);
              }
            }
          }
        }
      }
    },
  }),
  stackRule({
    name: "app-environment-as-built",
    description:
      "The app's environment as the kubelet builds it (policies/semantics/env.ts: envFrom ConfigMaps with their prefixes, configMapKeyRef, the last entry of a name winning) keeps the app observable and its TLS verified: LOG_LEVEL is not silent or fatal (errors, refusals and dependency failures would go unlogged), and no variable a ConfigMap hands the container is a credential (policies/semantics/credentials.ts) or disables certificate checks, lowers TLS or the HTTP parser (tlsWeakening), opens a debugger or preloads code from outside the image. Reported on the workload that runs with it (k8s-env-tls-verified reports the ConfigMap and literal values).",
    enforcementLevel: "mandatory",
    judges: TYPES.workload,
    validate: (resources, _ctx, report) => {
      for (const { workload: w, container: c, env, runsApp } of containerEnvironments(resources)) {
        const level = env.get("LOG_LEVEL");
        if (runsApp && level?.value !== undefined && /^(silent|fatal)$/i.test(level.value.trim())) report(`"${w.name}" container "${c.name}" runs the app with LOG_LEVEL=${level.value}: its errors, refusals and dependency failures are never logged.`, w.urn);
        for (const [name, v] of env) {
          if (v.from !== "configMap" || v.value === undefined) continue;
          const why = tlsWeakening(name, v.value) ?? literalCredential(name, v.value) ?? (DEBUG_OPTION_VARS.includes(name) ? (debuggerFlag(v.value) ? `opens a remote debugger (${debuggerFlag(v.value)})` : preloadFromPath(v.value) ? `runs code from outside the image (${preloadFromPath(v.value)})` : undefined) : undefined);
          if (why) report(`"${w.name}" container "${c.name}" gets ${name}=${v.value} from a ConfigMap: ${why}.`, w.urn);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-dns-in-cluster",
    description:
      "Names resolve inside: no pod sends its queries to a resolver on the internet (dnsPolicy None or dnsConfig with a public nameserver: answers anyone on the path can forge, and a channel out of the cluster), and no NetworkPolicy admits egress on port 53 (UDP or TCP, or a rule without ports) to public addresses (DNS tunnelling past every other egress rule). The cluster DNS and the VPC resolver are private addresses.",
    enforcementLevel: "mandatory",
    judges: [...POD_TYPES, ...TYPES.networkPolicy],
    validate: (resources, _ctx, report) => {
      const isPublic = (addr: string) => reaches([addr.includes("/") ? addr : `${addr}/${addr.includes(":") ? 128 : 32}`], [...PUBLIC_V4, ...PUBLIC_V6]);
      for (const r of ofType(resources, POD_TYPES)) {
        const p = snapshot(r);
        if (!p) continue;
        const spec = podSpecOf(r, p);
        const servers = list(obj(spec.dnsConfig).nameservers as unknown[] | undefined).map(String);
        const outside = servers.filter((s) => isPublic(s));
        if (outside.length > 0) report(`"${r.name}" resolves names through ${outside.join(", ")} (dnsConfig nameservers${spec.dnsPolicy === "None" ? ", dnsPolicy None" : ""}): a resolver on the internet answers for its dependencies.`, r.urn);
      }
      for (const np of ofType(resources, TYPES.networkPolicy)) {
        const p = snapshot(np);
        if (!p) continue;
        for (const rule of list(obj(p.spec).egress as Json[] | undefined).map(obj)) {
          const ports = list(rule.ports as Json[] | undefined).map(obj);
          const dns = ports.length === 0 || ports.some((x) => x.port === undefined || num(x.port) === 53 || (num(x.port)! <= 53 && (num(x.endPort) ?? -1) >= 53) || x.port === "dns" || x.port === "dns-tcp");
          if (!dns) continue;
          for (const peer of list(rule.to as Json[] | undefined).map(obj)) {
            const block = obj(peer.ipBlock);
            if (typeof block.cidr !== "string") continue;
            if (reaches([block.cidr], [...PUBLIC_V4, ...PUBLIC_V6], list(block.except as string[] | undefined).map(String))) report(`NetworkPolicy "${np.name}" admits DNS (port 53) to ${block.cidr}, public addresses: pods can resolve through (and tunnel out to) a server on the internet.`, np.urn);
          }
        }
      }
    },
  }),
  stackRule({
    name: "nginx-logs-no-credentials",
    description:
      `No nginx log_format of the stack's configurations writes a credential: the client's Authorization, Proxy-Authorization or Cookie headers, a cookie, an API key header, the edge's secret ${HEADERS.originVerify}, the request body, a Set-Cookie, or $remote_user. Every reader of the logs (CloudWatch, Container Insights, whoever they are shipped to) would hold the sessions and keys.`,
    enforcementLevel: "mandatory",
    judges: TYPES.configMap,
    validate: (resources, _ctx, report) => {
      for (const cm of ofType(resources, TYPES.configMap)) {
        if (unknownAt(() => JSON.stringify(cm.props.data))) continue;
        for (const [key, text] of Object.entries(obj(ifKnown(() => cm.props.data)))) {
          if (typeof text !== "string" || !/\blog_format\b/.test(text)) continue;
          const root = parseNginx(text);
          for (const http of blocksNamed(root, "http")) {
            for (const { block } of walkBlocks(http)) {
              for (const args of directivesNamed(block, "log_format")) {
                const found = [...new Set(args.slice(1).join(" ").match(CREDENTIAL_LOG_VARIABLES) ?? [])];
                if (found.length > 0) report(`nginx (ConfigMap "${cm.name}", ${key}) log_format ${args[0]} writes ${found.join(", ")}: the logs hold the clients' credentials.`, cm.urn);
              }
            }
          }
        }
      }
    },
  }),
];
