import type { apps, core, policy as k8sPolicy } from "@pulumi/kubernetes/types/input";
import { CREDENTIAL_VALUES, credentialInText, credentialValuesIn, literalCredential } from "../semantics/credentials";
import { Policies, PolicyResource } from "@pulumi/policy";
import { selectorMatches } from "../semantics/netpol";
import { at, environmentConfig, ifKnown, isProd, stackAwsProvider, isSet, list, masked, num, ofType, Props, refersTo, resourceRule, siblings, stackRule, TYPES, unknownAt } from "./common";
import { APP_ENV_NAMES, APP_ROUTES, parseAppEnvironment } from "@edgestack/contract";
import { podTemplateOf, POD_TYPES } from "./podsecurity";
import { blocksNamed, directivesNamed, inherited, listensOf, locationFor, methodsAdmitted, type NginxBlock, nginxSeconds, parseNginx, proxies, serversOf } from "../semantics/nginx";
import { intersect, METADATA_ADDRESSES, parseCidr, reaches } from "../semantics/cidr";

type Workload = Props<apps.v1.Deployment>;
type PodSpec = Props<core.v1.PodSpec>;
type Container = Props<core.v1.Container>;
type Service = Props<core.v1.Service>;
type Pdb = Props<k8sPolicy.v1.PodDisruptionBudget>;

/** Service accounts whose pods call the Kubernetes API and may mount its token (k8s-pod-defaults, k8s-service-account-token). */
const API_SERVICE_ACCOUNTS_CONFIG = {
  type: "array",
  items: { type: "string" },
  default: ["cluster-autoscaler"],
  description: "Service accounts whose pods call the Kubernetes API (they may mount its token); the default is the stack's Cluster Autoscaler, which watches pods and nodes.",
} as const;

export const podSpecOf = (p: Workload): PodSpec => (p.spec?.template?.spec ?? {}) as PodSpec;
/** The pod spec of any pod-bearing kind (Pod, the controllers, Job, CronJob, PodTemplate). */
const podSpecOfKind = (type: string, p: Record<string, unknown>): PodSpec => {
  const spec = podTemplateOf(type, p).spec;
  return (masked(spec) || typeof spec !== "object" || spec === null ? {} : spec) as PodSpec;
};
/** Kinds that keep pods running (probes apply): the controllers, not Jobs. */
const LONG_RUNNING = [...TYPES.workload, "kubernetes:apps/v1:ReplicaSet", "kubernetes:core/v1:ReplicationController"];
const containersOf = (s: PodSpec): Container[] => list(s.containers as Container[] | undefined);
const allContainersOf = (s: PodSpec): Container[] => [...list(s.initContainers as Container[] | undefined), ...containersOf(s)];

/** The tag of an image reference, "" when untagged; undefined for a digest-pinned image. */
export function imageTag(image: string): string | undefined {
  if (image.includes("@sha256:")) return undefined;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.indexOf(":", lastSlash + 1);
  return colon === -1 ? "" : image.slice(colon + 1);
}

/**
 * Why an image tag moves to new content over time, or undefined for a version tag: no tag (latest), latest, or a
 * channel name without a version number (stable, mainline, edge, lts, alpine, stable-alpine, nightly…). A tag with a
 * version number (1.30.5-alpine, v1.35.1, 0.11.0, 24-slim) names a release.
 */
export function movingTag(tag: string): string | undefined {
  if (tag === "") return "no tag: latest";
  if (/^latest$/i.test(tag)) return "latest";
  if (!/\d/.test(tag)) return `the tag "${tag}" names a channel, not a release: it moves with every release`;
  return undefined;
}

/**
 * A Deployment scaled to zero on purpose: the idle colour of a blue/green pair. It holds explicitly
 * 0 replicas (no HPA), it is reached only through NodePort Services, those NodePorts are target-group
 * ports, and every listener and listener rule forwarding to one of those target groups gives it
 * weight 0 (a plain forward is all of the traffic). Anything unknown (preview) or any other path to
 * its pods means it is not drained, and the replica rules apply.
 */
export function drainedDeployment(resources: PolicyResource[], d: PolicyResource): boolean {
  const replicas = ifKnown(() => (d.props as Workload).spec?.replicas);
  if (replicas !== 0) return false;
  const name = ifKnown(() => (d.props as Workload).metadata?.name);
  const hpaTarget = (h: PolicyResource) => ifKnown(() => (h.props.spec as { scaleTargetRef?: { name?: string } } | undefined)?.scaleTargetRef?.name);
  if (name === undefined || ofType(resources, TYPES.horizontalPodAutoscaler).some((h) => hpaTarget(h) === undefined || hpaTarget(h) === name)) return false;
  const labels = ifKnown(() => ({ ...((d.props as Workload).spec?.template?.metadata?.labels ?? {}) }) as Record<string, string>);
  if (!labels) return false;
  const selectorOf = (svc: PolicyResource) => ifKnown(() => ({ ...((svc.props.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {}) }));
  const services = ofType(resources, TYPES.service).filter((svc) => {
    const sel = selectorOf(svc);
    return sel === undefined || (Object.keys(sel).length > 0 && selectorMatches({ matchLabels: sel }, labels));
  });
  if (services.length === 0) return false;
  const nodePorts: number[] = [];
  for (const svc of services) {
    const spec = ifKnown(() => JSON.parse(JSON.stringify(svc.props.spec ?? {})) as { type?: string; ports?: { nodePort?: unknown }[] });
    if (!spec || spec.type !== "NodePort") return false;
    for (const p of list(spec.ports)) {
      const port = num(p?.nodePort);
      if (port === undefined) return false;
      nodePorts.push(port);
    }
  }
  const groups = ofType(resources, TYPES.targetGroup).filter((tg) => nodePorts.includes(num(ifKnown(() => tg.props.port)) ?? -1));
  if (groups.length === 0) return false;
  type Action = { type?: string; targetGroupArn?: string; forward?: { targetGroups?: { arn?: string; weight?: unknown }[] } };
  for (const r of [...ofType(resources, TYPES.listener), ...ofType(resources, TYPES.listenerRule)]) {
    const actions = ifKnown(() => JSON.parse(JSON.stringify(r.props.defaultActions ?? r.props.actions ?? [])) as Action[]);
    if (!actions) return false;
    for (const a of list(actions)) {
      for (const tg of groups) {
        if (refersTo(a?.targetGroupArn, tg)) return false;
        for (const t of list(a?.forward?.targetGroups)) if (refersTo(t?.arn, tg) && num(t?.weight) !== 0) return false;
      }
    }
  }
  return true;
}

/** Variables only the app reads: a container setting one runs the app. */
export const APP_MARKERS = /^(REDIS_URL(_FILE)?|RATE_LIMIT_(MAX|WINDOW_MS|FAIL)|TRUST_PROXY_CIDRS|SHUTDOWN_(DELAY|TIMEOUT)_MS|KEEPALIVE_TIMEOUT_MS|HEADERS_TIMEOUT_MS|WS_[A-Z_]+)$/;

/** A redis:// (not rediss://) URL to a host other than loopback, anywhere in the text. */
export function plainRedis(text: string): boolean {
  for (const m of text.matchAll(/\bredis:\/\/(?:[^@/\s]*@)?(\[[^\]]+\]|[^:/\s?]+)/gi)) {
    if (!/^(localhost|127(\.\d+){3}|\[::1\])$/i.test(m[1])) return true;
  }
  return false;
}

/**
 * A remote debugger a process opens from its flags (Node's --inspect family, the JVM's JDWP agent, Python's debugpy),
 * or undefined: it runs any code a peer sends, so no production container opens one, in its command, args, or the
 * runtime's options variables (NODE_OPTIONS, JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, _JAVA_OPTIONS).
 */
export function debuggerFlag(text: string): string | undefined {
  return /(?:^|\s)(--inspect(?:-brk|-wait)?(?:=\S*)?|--inspect-port(?:=\S*)?)(?=\s|$)/.exec(text)?.[1] ?? /(-agentlib:jdwp\S*|-Xrunjdwp\S*|-Xdebug\b|\bdebugpy\b)/.exec(text)?.[1];
}
export const DEBUG_OPTION_VARS = ["NODE_OPTIONS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"];

/**
 * A Node option that runs a file before the program (--require/-r, --import, --loader/--experimental-loader, and
 * the JVM's -javaagent) named by a path or a URL rather than a package of the image: code from a writable mount, a
 * volume or the network runs with the app's identity. A bare package name resolves inside the image and is not reported.
 */
export function preloadFromPath(text: string): string | undefined {
  const m = /(?:^|\s)((?:--require|-r|--import|--loader|--experimental-loader)(?:=|\s+)(\S+)|-javaagent:(\S+))/.exec(text);
  const target = m?.[2] ?? m?.[3];
  return target !== undefined && /^(\/|\.{1,2}\/|file:|https?:|data:)/.test(target) ? m![1] : undefined;
}

/**
 * The download of a shell command line that also runs what it downloads (curl/wget/fetch of an http, https or ftp
 * URL piped to a shell or interpreter, or followed by executing it), or undefined.
 */
export function fetchesAndRuns(text: string): string | undefined {
  const download = /\b(curl|wget|fetch)\b[^;&|]*?\b((?:https?|ftp):\/\/[^\s"'`);&|]+)/.exec(text);
  if (!download) return undefined;
  const after = text.slice(download.index);
  const runs = /\|\s*(sudo\s+)?(ba|da|z|k|a)?sh\b|\|\s*(python3?|node|perl|ruby)\b|(&&|;)\s*(chmod\s+\+?[0-7x]+|(ba|da)?sh|\.\/|source|python3?|node)\b/.test(after) || /\$\((curl|wget)/.test(text) || /`(curl|wget)/.test(text);
  return runs ? download[2] : undefined;
}

/** Why an environment variable weakens TLS towards a dependency, or undefined. */
export function tlsWeakening(name: string, value: string): string | undefined {
  const v = value.trim();
  if (name === "NODE_TLS_REJECT_UNAUTHORIZED" && v === "0") return "Node accepts any certificate (no TLS verification towards Redis or any HTTPS dependency)";
  if (name === "NODE_OPTIONS" && /--tls-min-v1\.[01]\b|--insecure-http-parser|--tls-cipher-list/.test(v)) return "Node's TLS floor or parser is weakened";
  if (name === "NODE_OPTIONS" && /--security-revert\b/.test(v)) return "Node reverts a security fix (--security-revert re-opens the CVE it names)";
  if (name === "PYTHONHTTPSVERIFY" && v === "0") return "Python skips certificate verification";
  if (name === "GIT_SSL_NO_VERIFY" && v !== "" && !/^(0|false|no)$/i.test(v)) return "git skips certificate verification";
  if (/^(CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE)$/.test(name) && v === "") return "an empty CA bundle turns verification off in requests";
  if (plainRedis(v)) return "Redis in plain text (use rediss://: TLS, and ElastiCache requires it)";
  return undefined;
}

/** The contract's load-balancer health path (the deep /health). */
const CONTRACT_HEALTH_PATH = APP_ROUTES.health.path;

/** A Kubernetes CPU quantity ("250m", "1", 0.5) in cores, or undefined. */
export function cpuCores(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(String(v ?? "").trim());
  return m ? Number(m[1]) / (m[2] ? 1000 : 1) : undefined;
}
/** A Kubernetes memory quantity ("256Mi", "1G", "1048576") in bytes, or undefined. */
export function memoryBytes(v: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(String(v ?? "").trim());
  if (!m) return undefined;
  const unit: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * unit[m[2] ?? ""]!;
}

/** nginx size ("1m", "512k", "1048576") in bytes, or undefined if malformed. */
export function nginxBytes(size: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(size.trim());
  if (!m) return undefined;
  return Number(m[1]) * ({ "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2].toLowerCase()];
}

/** The weak or non-forward-secret entries an OpenSSL cipher string turns on (entries after `!` or `-` turn things off). */
export function weakCiphers(ciphers: string): string[] {
  // "DEFAULT@SECLEVEL=0" is two elements: an @-command may follow a cipher without a separator.
  const elements = ciphers.split(/[:\s,]+/).flatMap((c) => c.split(/(?=@)/));
  const excluded = (re: RegExp) => elements.some((c) => /^!/.test(c) && re.test(c.slice(1)));
  // A broad alias (HIGH, AES, SHA256, …) includes static-RSA and anonymous suites unless the string excludes both.
  const broadExcludesWeak = excluded(/^(kRSA|RSA)$/i) && excluded(/^(aNULL|ADH|NULL)$/i);
  return elements
    .filter((c) => c !== "" && !/^[!-]/.test(c))
    .map((c) => c.replace(/^\+/, ""))
    .filter((c) => {
      if (/^(ALL|DEFAULT|COMPLEMENTOFALL|COMPLEMENTOFDEFAULT|LOW|MEDIUM|EXPORT\w*|EXP|NULL|eNULL|aNULL|ADH|AECDH|RC4|DES|3DES|MD5|PSK|SRP|kRSA|RSA|aRSA)$/i.test(c)) return true;
      if (/^(HIGH|AES|AES128|AES256|AESGCM|AESCCM|AESCCM8|CAMELLIA|CAMELLIA128|CAMELLIA256|ARIA|ARIA128|ARIA256|SHA|SHA1|SHA256|SHA384|CHACHA20|SSLv3|TLSv1|TLSv1\.0|TLSv1\.2|aECDSA|ECDSA)$/i.test(c)) return !broadExcludesWeak;
      // OpenSSL's security level: 0 and 1 re-admit what the library refuses by default (SHA-1, small keys, legacy suites).
      if (/^@SECLEVEL=[01]$/i.test(c)) return true;
      if (/RC4|(^|-)DES|3DES|MD5|NULL|EXP|ANON|ADH|AECDH|PSK|SRP/i.test(c)) return true;
      // A named TLS 1.2 suite must agree keys by (EC)DHE: static RSA key exchange has no forward secrecy.
      return /-/.test(c) && !/^TLS_/.test(c) && !/^(ECDHE|DHE|EDH)-/i.test(c);
    });
}

/**
 * Whether nginx connecting to `host` (host[:port], an IP literal or a name) stays inside: a private, loopback or
 * cluster address, a cluster-local name (*.svc, *.cluster.local, an unqualified Service name, localhost). Otherwise
 * why not (a public address, a link-local one such as the metadata service, or a name outside the cluster).
 */
export function internalAddress(hostPort: string): true | string {
  const host = hostPort.replace(/^\[([^\]]+)\](:\d+)?$/, "$1").replace(/^([^:]+):\d+$/, "$1");
  if (/^(localhost|[a-z0-9-]+)$/i.test(host)) return true; // an unqualified name: a Service of the namespace (or an upstream)
  if (/\.(svc|cluster\.local|svc\.cluster\.local)\.?$/i.test(host)) return true;
  const range = parseCidr(host.includes("/") ? host : `${host}/${host.includes(":") ? 128 : 32}`);
  if (!range) return `a name outside the cluster`;
  if (reaches([host], METADATA_ADDRESSES) || intersect([range], parseRanges(["169.254.0.0/16", "fe80::/10"])).length > 0) return "a link-local address (the instance metadata service lives there)";
  if (intersect([range], parseRanges(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "fc00::/7", "::1/128"])).length > 0) return true;
  return "an address outside the cluster and the VPC";
}
const parseRanges = (cidrs: string[]) => cidrs.map((c) => parseCidr(c)!).filter(Boolean);

type SecretItems = { key?: string; path?: string; mode?: unknown }[];
type SecretVolume = {
  name?: string;
  secret?: { secretName?: string; defaultMode?: unknown; items?: SecretItems };
  projected?: { defaultMode?: unknown; sources?: { secret?: { name?: string; items?: SecretItems } }[] };
};
const octal = (mode: number) => `0${mode.toString(8)}`;
/** A file mode as Kubernetes reads it: a number (decimal in JSON), or an octal string such as "0440". */
const fileMode = (v: unknown): number | undefined => (typeof v === "string" && /^0[0-7]{1,4}$/.test(v) ? parseInt(v, 8) : num(v));

/**
 * The mode of every file a volume makes from a Secret (a secret volume, or the secret sources of a projected one):
 * an item's own mode, else the volume's defaultMode, else Kubernetes' default 0644. Unknown values are skipped.
 */
export function secretFileModes(v: SecretVolume | undefined): { secret: string; path?: string; mode: number; defaulted: boolean }[] {
  const out: { secret: string; path?: string; mode: number; defaulted: boolean }[] = [];
  const add = (secret: string, defaultMode: unknown, items: SecretItems | undefined) => {
    if (unknownAt(() => defaultMode)) return;
    const fallback = fileMode(defaultMode);
    const entries = list(items);
    if (entries.length === 0) out.push({ secret, mode: fallback ?? 0o644, defaulted: defaultMode === undefined });
    for (const it of entries) {
      const own = fileMode(it?.mode);
      out.push({ secret, path: it?.path ?? it?.key, mode: own ?? fallback ?? 0o644, defaulted: own === undefined && defaultMode === undefined });
    }
  };
  if (v?.secret) add(String(v.secret.secretName ?? "?"), v.secret.defaultMode, v.secret.items);
  for (const source of list(v?.projected?.sources)) if (source?.secret) add(String(source.secret.name ?? "?"), v?.projected?.defaultMode, source.secret.items);
  return out;
}

const ZONE_KEYS = ["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone", "topology.ebs.csi.aws.com/zone"];
const HOST_KEYS = ["kubernetes.io/hostname"];

/**
 * What confines a pod to a single zone, or undefined: spec.nodeName, a nodeSelector on a zone or host label, or
 * required node affinity whose every term (terms are ORed) allows at most one zone or one host.
 */
export function pinnedToOneZone(spec: PodSpec | undefined): string | undefined {
  if (!spec) return undefined;
  const s = spec as PodSpec & { nodeName?: unknown; nodeSelector?: Record<string, unknown>; affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: { key?: string; operator?: string; values?: unknown[] }[] }[] } } } };
  if (typeof s.nodeName === "string" && s.nodeName !== "") return `node ${s.nodeName} (spec.nodeName)`;
  for (const [k, v] of Object.entries(s.nodeSelector ?? {})) if ([...ZONE_KEYS, ...HOST_KEYS].includes(k)) return `${k}=${String(v)} (nodeSelector)`;
  const terms = list(s.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms);
  if (terms.length === 0) return undefined;
  const allowed = new Set<string>();
  for (const t of terms) {
    const narrowing = list(t?.matchExpressions).filter((e) => [...ZONE_KEYS, ...HOST_KEYS].includes(String(e?.key)) && e?.operator === "In");
    if (narrowing.length === 0) return undefined; // this term allows every zone
    const fewest = narrowing.reduce((a, e) => (list(e.values).length < list(a.values).length ? e : a));
    list(fewest.values).forEach((v) => allowed.add(`${fewest.key}=${String(v)}`));
  }
  return allowed.size <= 1 ? `${[...allowed].join("") || "no node"} (required node affinity)` : undefined;
}

export const kubernetesPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "k8s-no-bare-pods",
    description: "The stack declares no bare Pod: every pod comes from a controller (Deployment, StatefulSet, DaemonSet, Job, CronJob) that recreates it, rolls it out surge-first and is covered by a PodDisruptionBudget; a bare Pod dies with its node and escapes every rule written for controllers (kubescape C-0073).",
    enforcementLevel: "mandatory",
    types: TYPES.pod,
    validate: (_p, { args }, report) => report(`"${args.name}" is a bare Pod: nothing recreates it when its node goes, it is never rolled out or covered by a PodDisruptionBudget; declare it as a Deployment (or a Job for one-off work).`),
  }),
  resourceRule<Workload>({
    name: "k8s-probes",
    description: "Every container of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController) has a readinessProbe and a livenessProbe, and every probe (startup too) that names its port names one the container declares: a port name nothing declares fails every probe (never ready, or restarted forever).",
    enforcementLevel: "mandatory",
    types: LONG_RUNNING,
    validate: (p, { args }, report) => {
      for (const c of containersOf(podSpecOfKind(args.type, p as never))) {
        const missing = [c.readinessProbe ? "" : "readinessProbe", c.livenessProbe ? "" : "livenessProbe"].filter(Boolean);
        if (missing.length > 0) report(`Container "${c.name}" of "${args.name}" has no ${missing.join(" or ")}.`);
        const declared = new Set(list(c.ports).map((x) => x?.name).filter((n): n is string => typeof n === "string"));
        for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"] as const) {
          const probe = c[kind] as { httpGet?: { port?: unknown }; tcpSocket?: { port?: unknown } } | undefined;
          const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
          if (typeof port === "string" && num(port) === undefined && !declared.has(port)) report(`The ${kind} of container "${c.name}" of "${args.name}" probes port "${port}", which the container does not declare: the probe always fails.`);
        }
      }
    },
  }),
  resourceRule<Workload>({
    name: "k8s-resources",
    description: "Every container of every pod-bearing kind requests CPU and memory and has memory and CPU limits (CPU limit optional by config).",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    config: {
      requireCpuLimit: { type: "boolean", default: true, description: "Also require a CPU limit (a container without one can take a whole node's CPU from its neighbours); set false where throttling a latency-sensitive server is the worse risk." },
    },
    validate: (p, { args, config }, report) => {
      for (const c of containersOf(podSpecOfKind(args.type, p as never))) {
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
    description: "Containers of every pod-bearing kind run as non-root (runAsNonRoot, never uid 0), unprivileged, without privilege escalation.",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    validate: (p, { args }, report) => {
      const pod = podSpecOfKind(args.type, p as never);
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
    description: "Container images of every pod-bearing kind carry a digest or a version tag (one holding a version number): no tag, latest, or a channel name that moves with every release (stable, mainline, edge, lts, alpine, slim…; any tag without a digit).",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    validate: (p, { args }, report) => {
      for (const c of allContainersOf(podSpecOfKind(args.type, p as never))) {
        if (typeof c.image !== "string") continue;
        const tag = imageTag(c.image);
        const moving = tag === undefined ? undefined : movingTag(tag);
        if (moving) report(`Container "${c.name}" of "${args.name}" uses image "${c.image}" (${moving}); pin a version tag or digest.`);
      }
    },
  }),
  resourceRule<Service>({
    name: "k8s-no-loadbalancer-service",
    description:
      "Traffic enters only through the managed edge (CloudFront/ALB/NLB): no Service of type LoadBalancer, none with externalIPs, no Ingress or Gateway API object (a controller would make a load balancer outside the origin lock and WAF).",
    enforcementLevel: "mandatory",
    types: [...TYPES.service, "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:extensions/v1beta1:Ingress", "kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway"],
    validate: (p, { args }, report) => {
      if (!TYPES.service.includes(args.type as never)) return report(`${args.type.split(":").pop()} "${args.name}" exposes the cluster through a controller-made load balancer, past the origin lock, WAF and rate limits; route through the edge's nginx instead.`);
      if (p.spec?.type === "LoadBalancer") report(`Service "${args.name}" is of type LoadBalancer; use ClusterIP or NodePort behind the edge load balancers.`);
      if (list(p.spec?.externalIPs).length > 0) report(`Service "${args.name}" sets externalIPs ${list(p.spec?.externalIPs).join(", ")}: every node answers for them, outside the edge.`);
    },
  }),
  stackRule({
    name: "k8s-prod-replicas",
    description: "In prod, every Deployment runs at least the configured number of replicas (its HPA's minReplicas when autoscaled).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.horizontalPodAutoscaler, ...TYPES.deployment],
    config: { ...environmentConfig, minReplicas: { type: "integer", minimum: 1, default: 2, description: "Least replicas per Deployment in prod." } },
    validate: (resources, { config }, report) => {
      const min = Number(config.minReplicas);
      const hpas = ofType(resources, TYPES.horizontalPodAutoscaler);
      for (const d of ofType(resources, TYPES.deployment)) {
        if (!isProd(config, { urn: d.urn, provider: stackAwsProvider(resources) })) continue;
        // The idle colour of a blue/green pair, scaled to zero while no load balancer sends it traffic.
        if (drainedDeployment(resources, d)) continue;
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
    judges: [...TYPES.podDisruptionBudget, ...TYPES.deployment],
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
  stackRule({
    name: "k8s-rollout-surge-only-prod",
    description: "In prod, every Deployment rolls out by surging (RollingUpdate with maxUnavailable 0 and maxSurge ≥ 1): no rollout takes serving pods away first (Recreate, or Kubernetes' default 25% unavailable), and none is paused (no change would roll out).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.deployment],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      for (const d of ofType(resources, TYPES.deployment)) {
        if (!isProd(config, d.urn)) continue;
        const strategy = ifKnown(() => ({ ...((d.props as Workload).spec?.strategy ?? {}) })) as { type?: string; rollingUpdate?: { maxUnavailable?: unknown; maxSurge?: unknown } } | undefined;
        if (!strategy) continue;
        if (ifKnown(() => (d.props as Workload).spec?.paused) === true) report(`Deployment "${d.name}" is paused: no change of its pod template (a security fix, a new image) rolls out until someone resumes it.`, d.urn);
        if (strategy.type === "Recreate") {
          report(`Deployment "${d.name}" uses the Recreate strategy: every pod stops before the new ones start.`, d.urn);
          continue;
        }
        const zero = (v: unknown) => v === 0 || v === "0" || v === "0%";
        const unavailable = strategy.rollingUpdate?.maxUnavailable;
        if (!zero(unavailable)) report(`Deployment "${d.name}" rolls out with maxUnavailable ${unavailable ?? "unset (25%)"}: serving pods go before their replacements are ready; set 0 and surge instead.`, d.urn);
        else if (zero(strategy.rollingUpdate?.maxSurge)) report(`Deployment "${d.name}" has maxUnavailable 0 and maxSurge 0: a rollout can never progress.`, d.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-zone-spread-prod",
    description:
      "In prod, every Deployment spreads its pods across zones with a hard constraint (topologySpreadConstraints on topology.kubernetes.io/zone, DoNotSchedule, maxSkew 1, a selector matching its pods, or required zone anti-affinity) and is not confined to one zone (spec.nodeName, a nodeSelector or required node affinity naming one zone or host), and a cluster's node groups together cover every zone of its subnets (at least two; one group per zone is fine), keeping nodes in at least two zones at their minimum size. A Deployment that may run more replicas (its HPA's maximum, else spec.replicas) than the node groups cover zones also spreads over nodes (a kubernetes.io/hostname constraint or anti-affinity, preferred is enough).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.deployment, ...TYPES.subnet, "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", ...TYPES.horizontalPodAutoscaler],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const ZONE = ["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"];
      // The zones the prod node groups' subnets cover (0: unknown, the node spread is then not judged).
      const nodeZones = new Set(
        ofType(resources, ["aws:eks/nodeGroup:NodeGroup"])
          .filter((g) => isProd(config, g.urn))
          .flatMap((g) => list(ifKnown(() => g.props.subnetIds as unknown[])))
          .map((ref) => ofType(resources, TYPES.subnet).find((x) => refersTo(ref, x)))
          .map((sn) => (sn ? ifKnown(() => sn.props.availabilityZone ?? sn.props.availabilityZoneId) : undefined))
          .filter((z): z is string => typeof z === "string"),
      ).size;
      const hpas = ofType(resources, TYPES.horizontalPodAutoscaler);
      /** A Deployment's most replicas: its HPA's maximum, else spec.replicas (undefined while unknown). */
      const mostReplicas = (d: PolicyResource): number | undefined => {
        const m = ifKnown(() => (d.props as Workload).metadata) as { name?: string; namespace?: string } | undefined;
        const hpa = hpas.find((h) => {
          const spec = ifKnown(() => h.props.spec) as { scaleTargetRef?: { kind?: string; name?: string } } | undefined;
          const hm = ifKnown(() => h.props.metadata) as { namespace?: string } | undefined;
          return spec?.scaleTargetRef?.kind === "Deployment" && spec.scaleTargetRef.name === m?.name && (hm?.namespace ?? "default") === (m?.namespace ?? "default");
        });
        if (hpa) return num(ifKnown(() => (hpa.props.spec as { maxReplicas?: unknown } | undefined)?.maxReplicas));
        return num(ifKnown(() => (d.props as Workload).spec?.replicas)) ?? 1;
      };
      for (const d of ofType(resources, TYPES.deployment)) {
        if (!isProd(config, d.urn)) continue;
        const pod = ifKnown(() => JSON.parse(JSON.stringify((d.props as Workload).spec?.template ?? {})) as { metadata?: { labels?: Record<string, string> }; spec?: PodSpec });
        if (!pod) continue;
        const labels = pod.metadata?.labels ?? {};
        const spread = list(pod.spec?.topologySpreadConstraints).some(
          (t) => ZONE.includes(String(t?.topologyKey)) && t?.whenUnsatisfiable === "DoNotSchedule" && (num(t?.maxSkew) ?? 99) <= 1 && selectorMatches(t?.labelSelector as never, labels),
        );
        const anti = list(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).some((t) => ZONE.includes(String(t?.topologyKey)) && selectorMatches(t?.labelSelector as never, labels));
        if (!spread && !anti) report(`Deployment "${d.name}" has no hard zone spread (topologySpreadConstraints on topology.kubernetes.io/zone with DoNotSchedule, maxSkew 1 and a selector matching its pods): one zone's outage can take every replica.`, d.urn);
        // A spread constraint spreads only over the nodes the pod may use: a node pin, or a node selector or required
        // node affinity naming one zone (or one host), puts every replica in one zone whatever the constraint says.
        const pinned = pinnedToOneZone(pod.spec);
        if (pinned) report(`Deployment "${d.name}" is confined to ${pinned}: every replica lands in one zone, whatever its spread constraints say.`, d.urn);
        // More replicas than zones share a zone, and a zone spread alone lets them share a node there: the docs' soft
        // spread over nodes (a hostname constraint or anti-affinity, preferred is enough) keeps one node's loss small.
        const most = mostReplicas(d);
        if (nodeZones > 0 && most !== undefined && most > nodeZones) {
          const hostSpread = list(pod.spec?.topologySpreadConstraints).some((t) => HOST_KEYS.includes(String(t?.topologyKey)) && selectorMatches(t?.labelSelector as never, labels));
          const anti = pod.spec?.affinity?.podAntiAffinity as { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey?: string; labelSelector?: unknown }[]; preferredDuringSchedulingIgnoredDuringExecution?: { podAffinityTerm?: { topologyKey?: string; labelSelector?: unknown } }[] } | undefined;
          const hostAnti = [...list(anti?.requiredDuringSchedulingIgnoredDuringExecution), ...list(anti?.preferredDuringSchedulingIgnoredDuringExecution).map((p) => p?.podAffinityTerm)].some((t) => HOST_KEYS.includes(String(t?.topologyKey)) && selectorMatches(t?.labelSelector as never, labels));
          if (!hostSpread && !hostAnti) report(`Deployment "${d.name}" runs up to ${most} replicas over ${nodeZones} zones with no spread over nodes (a topologySpreadConstraint on kubernetes.io/hostname or pod anti-affinity on it, preferred is enough): several replicas of a zone can share one node, and that node's loss takes them all.`, d.urn);
        }
      }
      // Node groups are judged together per cluster: one group per zone is the autoscaler's layout, so a
      // single group in one zone is fine as long as the cluster's groups cover every zone of its subnets.
      const subnets = ofType(resources, TYPES.subnet);
      const zonesOf = (refs: unknown[]): { zones: Set<string>; unresolved: boolean } => {
        const zones = new Set<string>();
        let unresolved = false;
        for (const ref of refs) {
          const sn = subnets.find((x) => refersTo(ref, x));
          const az = sn ? ifKnown(() => sn.props.availabilityZone ?? sn.props.availabilityZoneId) : undefined;
          if (typeof az === "string") zones.add(az);
          else unresolved = true;
        }
        return { zones, unresolved };
      };
      const clusters = ofType(resources, ["aws:eks/cluster:Cluster"]);
      const groups = ofType(resources, ["aws:eks/nodeGroup:NodeGroup"]).filter((g) => isProd(config, g.urn));
      const byCluster = new Map<string, typeof groups>();
      for (const g of groups) {
        const ref = ifKnown(() => g.props.clusterName);
        const cluster = clusters.find((c) => refersTo(ref, c));
        const key = cluster?.urn ?? (typeof ref === "string" ? ref : "");
        byCluster.set(key, [...(byCluster.get(key) ?? []), g]);
      }
      for (const [key, members] of byCluster) {
        const covered = new Set<string>();
        let unresolved = false;
        const minByZone = new Map<string, number>();
        for (const g of members) {
          const refs = ifKnown(() => list(g.props.subnetIds as unknown[]));
          if (!refs) {
            unresolved = true;
            continue;
          }
          const z = zonesOf(refs);
          unresolved ||= z.unresolved;
          z.zones.forEach((zone) => covered.add(zone));
          const min = ifKnown(() => num((g.props.scalingConfig as { minSize?: unknown } | undefined)?.minSize));
          if (min !== undefined && z.zones.size === 1) {
            const zone = [...z.zones][0]!;
            minByZone.set(zone, (minByZone.get(zone) ?? 0) + min);
          } else if (min !== undefined && min < 2) {
            report(`Node group "${g.name}" may scale down to ${min} node(s): too few for replicas in more than one zone.`, g.urn);
          }
        }
        const where = members.map((g) => `"${g.name}"`).join(", ");
        const cluster = clusters.find((c) => c.urn === key);
        const clusterSubnets = cluster ? ifKnown(() => list((cluster.props.vpcConfig as { subnetIds?: unknown[] } | undefined)?.subnetIds)) : undefined;
        const wanted = clusterSubnets ? zonesOf(clusterSubnets) : undefined;
        const missing = wanted && !wanted.unresolved ? [...wanted.zones].filter((z) => !covered.has(z)) : [];
        for (const g of members) {
          if (!unresolved && covered.size < 2) report(`Node groups ${where} together run in ${covered.size} zone(s) (${[...covered].join(", ")}): a hard zone spread can't place pods and one zone's outage takes the nodes.`, g.urn);
          else if (!unresolved && missing.length > 0) report(`Node groups ${where} leave the cluster's zone(s) ${missing.join(", ")} without nodes: a hard zone spread can't place pods there.`, g.urn);
        }
        // Per-zone groups: enough nodes at the floor to keep replicas in at least two zones.
        const floorZones = [...minByZone.values()].filter((n) => n >= 1).length;
        const floor = [...minByZone.values()].reduce((a, n) => a + n, 0);
        if (minByZone.size > 0 && (floorZones < 2 || floor < 2)) {
          for (const g of members) report(`Node groups ${where} may scale down to ${floor} node(s) in ${floorZones} zone(s): too few for replicas in more than one zone.`, g.urn);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-pdb-effective-prod",
    description: "In prod, each Deployment's PodDisruptionBudget both protects and allows progress: it lets at least one pod go (not maxUnavailable 0, not minAvailable ≥ replicas), never all of them (not maxUnavailable ≥ replicas or 100%, not minAvailable 0), and never more than one zone's share (replicas ÷ zones, at least one).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.podDisruptionBudget, ...TYPES.horizontalPodAutoscaler, ...TYPES.deployment],
    config: { ...environmentConfig, zones: { type: "integer", minimum: 1, default: 3, description: "Zones the stack's pods spread over: a budget may let at most replicas ÷ zones (at least one) go at once." } },
    validate: (resources, { config }, report) => {
      const pdbs = ofType(resources, TYPES.podDisruptionBudget);
      const hpas = ofType(resources, TYPES.horizontalPodAutoscaler);
      for (const d of ofType(resources, TYPES.deployment)) {
        if (!isProd(config, d.urn)) continue;
        // No pods to protect: the idle colour of a blue/green pair (its PDB comes back into force with its replicas).
        if (drainedDeployment(resources, d)) continue;
        const labels = ifKnown(() => ({ ...((d.props as Workload).spec?.template?.metadata?.labels ?? {}) }) as Record<string, string>);
        const name = ifKnown(() => (d.props as Workload).metadata?.name);
        if (!labels) continue;
        const hpa = hpas.find((h) => ifKnown(() => (h.props.spec as { scaleTargetRef?: { name?: string } } | undefined)?.scaleTargetRef?.name) === name);
        const replicas = (hpa ? ifKnown(() => num((hpa.props.spec as { minReplicas?: unknown }).minReplicas)) : undefined) ?? ifKnown(() => num((d.props as Workload).spec?.replicas)) ?? 1;
        for (const pdb of pdbs) {
          const spec = ifKnown(() => ({ ...((pdb.props as Pdb).spec ?? {}) })) as { selector?: { matchLabels?: Record<string, string> }; minAvailable?: unknown; maxUnavailable?: unknown } | undefined;
          if (!spec || !selectorMatches(spec.selector as never, labels)) continue;
          const resolve = (v: unknown) => (typeof v === "string" && v.endsWith("%") ? Math.ceil((Number(v.slice(0, -1)) / 100) * replicas) : num(v));
          const maxU = resolve(spec.maxUnavailable);
          const minA = typeof spec.minAvailable === "string" && spec.minAvailable.endsWith("%") ? Math.ceil((Number(spec.minAvailable.slice(0, -1)) / 100) * replicas) : num(spec.minAvailable);
          const allowed = maxU !== undefined ? maxU : minA !== undefined ? replicas - minA : undefined;
          if (allowed === undefined) continue;
          // A voluntary disruption (a node drain, an upgrade) takes at most one zone's share of the pods: the stack
          // spreads over `zones` zones, so a budget that lets more go leaves fewer than a zone outage would.
          const share = Math.max(1, Math.floor(replicas / Number(config.zones)));
          if (allowed < replicas && allowed > share) report(`PodDisruptionBudget "${pdb.name}" lets ${allowed} of ${replicas} pods of Deployment "${d.name}" be evicted at once: more than one zone's share (${share} over ${Number(config.zones)} zones); a drain leaves fewer pods than a zone outage would.`, pdb.urn);
          if (allowed >= replicas) report(`PodDisruptionBudget "${pdb.name}" lets all ${replicas} pods of Deployment "${d.name}" be evicted at once (${spec.maxUnavailable !== undefined ? `maxUnavailable ${spec.maxUnavailable}` : `minAvailable ${spec.minAvailable}`}): it protects nothing.`, pdb.urn);
          else if (allowed <= 0) report(`PodDisruptionBudget "${pdb.name}" allows no eviction of Deployment "${d.name}" (${spec.maxUnavailable !== undefined ? `maxUnavailable ${spec.maxUnavailable}` : `minAvailable ${spec.minAvailable}`} of ${replicas}): node drains and upgrades stall.`, pdb.urn);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-readiness-independent",
    description:
      "Readiness, liveness and startup probes of long-running workloads are shallow: an HTTP probe on the pod itself at a dependency-free path (config dependencyFreePaths), never on another host, never an nginx location that proxies to an upstream (a proxy's readiness must not follow its backends), never an exec probe that calls a dependency; so a dependency outage never empties a Service or restarts pods.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.configMap, ...LONG_RUNNING],
    config: {
      dependencyFreePaths: {
        type: "array",
        items: { type: "string" },
        default: [APP_ROUTES.liveness.path, APP_ROUTES.readiness.path, "/healthz", "/nginx-health", "/health-check"],
        description:
          "HTTP paths that answer from the process alone, matched exactly (default: the app's liveness and readiness routes, /healthz, nginx's own health path and the Cluster Autoscaler's /health-check, which reports its own loop). Not the app's /health: it PINGs Redis (the load balancers' deep check), so a probe there follows Redis.",
      },
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding an nginx configuration." },
    },
    validate: (resources, { config }, report) => {
      const paths = config.dependencyFreePaths as string[];
      const confs = new Map<string, ReturnType<typeof parseNginx>>();
      for (const cm of ofType(resources, TYPES.configMap)) {
        const text = ifKnown(() => (cm.props.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
        const name = ifKnown(() => (cm.props.metadata as { name?: string } | undefined)?.name);
        if (typeof text === "string") confs.set(name ?? cm.name, parseNginx(text));
      }
      for (const w of resources.filter((r) => LONG_RUNNING.includes(r.type))) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(podSpecOfKind(w.type, w.props))) as PodSpec);
        if (!spec) continue;
        const mounted = list(spec.volumes).map((v) => String(v?.configMap?.name ?? "")).filter((n) => n !== "").map((n) => confs.get(n) ?? [...confs.entries()].find(([k]) => k.startsWith(n) || n.startsWith(k))?.[1]).filter((x) => x !== undefined);
        for (const c of containersOf(spec)) {
          const portOf = (p: unknown) => (typeof p === "number" ? p : num(p) ?? num(list(c.ports).find((x) => x?.name === p)?.containerPort));
          for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"] as const) {
            const probe = c[kind];
            if (!probe) continue;
            const where = `${kind} of container "${c.name}" in "${w.name}"`;
            const cmd = list(probe.exec?.command).join(" ");
            if (cmd && /redis|postgres|mysql|mongo|curl|wget|\bnc\b|http|\$\(?[A-Z_]*(URL|HOST)/i.test(cmd)) report(`The ${where} runs "${cmd}", which calls a dependency: its outage would ${kind === "readinessProbe" ? "empty the Service" : "restart every pod"}.`, w.urn);
            const http = probe.httpGet;
            if (!http) continue;
            if (isSet(http.host)) report(`The ${where} probes another host (${http.host}): the pod's health then follows that host.`, w.urn);
            const path = String(http.path ?? "/");
            const port = portOf(http.port);
            const server = mounted.flatMap((conf) => serversOf(conf!)).find((sv) => listensOf(sv).some((l) => l.port === port));
            if (server) {
              const loc = locationFor(server, path.split("?")[0]);
              if (loc && proxies(loc)) report(`The ${where} asks nginx for ${path} on port ${port}, a location that proxies to the upstream: the proxy's health follows its backends (one app problem empties every NodePort).`, w.urn);
              continue;
            }
            if (!paths.includes(path.split("?")[0]) || path.includes("?")) report(`The ${where} probes ${path}, not a dependency-free endpoint (${paths.join(", ")}).`, w.urn);
          }
        }
      }
    },
  }),
  stackRule({
    name: "k8s-hpa-metrics-source",
    description:
      "Every HorizontalPodAutoscaler can read its metrics and scales something real: resource metrics need the metrics-server add-on on a cluster the stack creates (config metricsApis for others), Pods/Object/External metrics need a listed adapter, its target is a Deployment of the stack whose containers request the metric's resource, its resource target is reachable (a utilisation below the pods' limit ÷ request, an average value below the pod's limit), scaling up is not disabled, and minReplicas < maxReplicas (equal bounds never scale); a target that states spec.replicas ignores changes to it (the ignoreChanges resource option), or every deploy resets the count the HPA reached.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.eksCluster, ...TYPES.horizontalPodAutoscaler, ...TYPES.workload, "aws:eks/addon:Addon"],
    config: {
      metricsApis: { type: "array", items: { type: "string" }, default: [], description: "Metric APIs served by something outside the stack: resource (metrics.k8s.io), custom (custom.metrics.k8s.io), external (external.metrics.k8s.io)." },
    },
    validate: (resources, { config }, report) => {
      const apis = new Set(config.metricsApis as string[]);
      const clusters = ofType(resources, TYPES.eksCluster);
      const addons = ofType(resources, ["aws:eks/addon:Addon"]);
      const metricsServer = addons.some((a) => unknownAt(() => a.props.addonName) || /metrics-server/.test(String(ifKnown(() => a.props.addonName) ?? ""))) || resources.some((r) => /metrics-server/.test(r.name) && r.type.startsWith("kubernetes:"));
      for (const h of ofType(resources, TYPES.horizontalPodAutoscaler)) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(h.props.spec ?? {})) as { metrics?: { type?: string; resource?: { name?: string } }[]; targetCPUUtilizationPercentage?: number; scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number; maxReplicas?: number });
        if (!spec) continue;
        const metrics = spec.metrics ?? (h.type.includes("/v1:") || spec.targetCPUUtilizationPercentage !== undefined ? [{ type: "Resource", resource: { name: "cpu" } }] : [{ type: "Resource", resource: { name: "cpu" } }]);
        for (const m of metrics) {
          const type = String(m?.type ?? "");
          if (type === "Resource" || type === "ContainerResource") {
            if (!metricsServer && !apis.has("resource") && clusters.length > 0) report(`HPA "${h.name}" scales on ${m.resource?.name ?? "a resource"} from metrics.k8s.io, but the stack installs no metrics-server: it never scales.`, h.urn);
          } else if (!apis.has(type === "External" ? "external" : "custom")) {
            report(`HPA "${h.name}" scales on a ${type} metric, which needs a ${type === "External" ? "external" : "custom"}.metrics.k8s.io adapter the stack does not install (list it in metricsApis if present).`, h.urn);
          }
        }
        const min = num(spec.minReplicas) ?? 1;
        const max = num(spec.maxReplicas);
        if (max !== undefined && min > max) report(`HPA "${h.name}" has minReplicas ${min} above maxReplicas ${max}.`, h.urn);
        else if (max !== undefined && min === max) report(`HPA "${h.name}" has maxReplicas equal to minReplicas (${max}): it never scales, so load beyond ${max} pods finds no new ones.`, h.urn);
        const target = ofType(resources, TYPES.workload).find((d) => ifKnown(() => (d.props as Workload).metadata?.name) === spec.scaleTargetRef?.name && d.type.endsWith(`:${spec.scaleTargetRef?.kind ?? "Deployment"}`));
        const namesUnknown = ofType(resources, TYPES.workload).some((d) => unknownAt(() => (d.props as Workload).metadata?.name));
        if (!target) {
          if (spec.scaleTargetRef?.name !== undefined && !namesUnknown) report(`HPA "${h.name}" targets ${spec.scaleTargetRef?.kind ?? "?"} "${spec.scaleTargetRef?.name}", which the stack does not declare: it scales nothing.`, h.urn);
          continue;
        }
        for (const m of metrics.filter((x) => x?.type === "Resource" || x?.type === "ContainerResource")) {
          // A ContainerResource metric reads one container's usage and request; a Resource metric the pod's sum.
          const own = (m as { containerResource?: { name?: string; container?: string; target?: unknown } }).containerResource;
          if (own) (m as { resource?: unknown }).resource = { name: own.name, target: own.target };
          const res = String(m.resource?.name ?? "cpu");
          if (own && !containersOf(podSpecOf(target.props as Workload)).some((x) => x.name === own.container)) {
            report(`HPA "${h.name}" scales "${target.name}" on the ${res} of container "${String(own.container)}", which its pods do not have: the HPA reads nothing and never scales.`, h.urn);
            continue;
          }
          for (const c of containersOf(podSpecOf(target.props as Workload)).filter((x) => !own || x.name === own.container)) {
            if (!isSet((c.resources?.requests as Record<string, unknown> | undefined)?.[res])) report(`HPA "${h.name}" scales "${target.name}" on ${res} utilisation, but container "${c.name}" requests no ${res}: the HPA can't compute it.`, h.urn);
          }
          // A target the pods can never reach: utilisation is usage ÷ request, and usage stops at the limit.
          const target2 = (m as { resource?: { target?: { type?: string; averageUtilization?: unknown; averageValue?: unknown } } }).resource?.target;
          const containers = containersOf(podSpecOf(target.props as Workload)).filter((x) => !own || x.name === own.container);
          const qty = (v: unknown) => (res === "cpu" ? cpuCores(v) : memoryBytes(v));
          const requests = containers.map((c) => qty((c.resources?.requests as Record<string, unknown> | undefined)?.[res]));
          const limits = containers.map((c) => qty((c.resources?.limits as Record<string, unknown> | undefined)?.[res]));
          if (requests.every((x) => x !== undefined) && limits.every((x) => x !== undefined)) {
            const ceilingPercent = (100 * limits.reduce((a, x) => a + x!, 0)) / requests.reduce((a, x) => a + x!, 0);
            const util = num(target2?.averageUtilization);
            if (target2?.type === "Utilization" && util !== undefined && util >= ceilingPercent) report(`HPA "${h.name}" scales "${target.name}" at ${util}% ${res} utilisation, but its pods' limits stop usage at ${Math.round(ceilingPercent)}% of their requests: it never scales up.`, h.urn);
            const avg = qty(target2?.averageValue);
            if (target2?.type === "AverageValue" && avg !== undefined && avg >= limits.reduce((a, x) => a + x!, 0)) report(`HPA "${h.name}" scales "${target.name}" at an average ${res} of ${String(target2.averageValue)} per pod, at or above the pod's limit: it never scales up.`, h.urn);
          }
        }
        const scaleUp = (spec as { behavior?: { scaleUp?: { selectPolicy?: string } } }).behavior?.scaleUp;
        if (scaleUp?.selectPolicy === "Disabled") report(`HPA "${h.name}" disables scaling up (behavior.scaleUp.selectPolicy Disabled): load beyond minReplicas finds no new pods.`, h.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-config-rolls-pods",
    description:
      "A long-running workload (Deployment, StatefulSet, DaemonSet) that reads a Secret or ConfigMap the stack declares (volume, projected source, envFrom, env valueFrom) rolls when that object changes: the object is content-named (a suffix of at least 8 hex digits, a new name per content) or the pod template carries a digest annotation (key naming digest/checksum/sha256/hash, value of at least 32 hex digits). Without either, a rotated Redis token or a new nginx.conf reaches no running pod until something else restarts it (or, after the old token is dropped, every pod is refused).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.workload, ...TYPES.configMap, "kubernetes:core/v1:Secret"],
    validate: (resources, _ctx, report) => {
      const declared = new Map<string, PolicyResource>();
      for (const r of ofType(resources, [...TYPES.configMap, "kubernetes:core/v1:Secret"])) {
        const meta = ifKnown(() => r.props.metadata as { name?: unknown; namespace?: unknown } | undefined);
        if (typeof meta?.name === "string") declared.set(`${r.type.endsWith(":Secret") ? "secret" : "configmap"}/${String(meta.namespace ?? "default")}/${meta.name}`, r);
      }
      // Long-running pods only: a Job's or CronJob's pods start afresh each run and read the current content then.
      for (const w of ofType(resources, TYPES.workload)) {
        const t = ifKnown(() => JSON.parse(JSON.stringify(podTemplateOf(w.type, w.props as Record<string, unknown>))) as { metadata?: { annotations?: Record<string, unknown> }; spec?: PodSpec });
        if (!t?.spec) continue;
        const ns = String(ifKnown(() => (w.props.metadata as { namespace?: unknown } | undefined)?.namespace) ?? "default");
        const used = new Set<string>();
        for (const v of list(t.spec.volumes) as { secret?: { secretName?: string }; configMap?: { name?: string }; projected?: { sources?: { secret?: { name?: string }; configMap?: { name?: string } }[] } }[]) {
          if (v?.secret?.secretName) used.add(`secret/${ns}/${v.secret.secretName}`);
          if (v?.configMap?.name) used.add(`configmap/${ns}/${v.configMap.name}`);
          for (const src of list(v?.projected?.sources)) {
            if (src?.secret?.name) used.add(`secret/${ns}/${src.secret.name}`);
            if (src?.configMap?.name) used.add(`configmap/${ns}/${src.configMap.name}`);
          }
        }
        for (const c of [...list(t.spec.initContainers as Container[] | undefined), ...list(t.spec.containers as Container[] | undefined)] as { envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[]; env?: { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }[] }[]) {
          for (const e of list(c?.envFrom)) {
            if (e?.secretRef?.name) used.add(`secret/${ns}/${e.secretRef.name}`);
            if (e?.configMapRef?.name) used.add(`configmap/${ns}/${e.configMapRef.name}`);
          }
          for (const e of list(c?.env)) {
            if (e?.valueFrom?.secretKeyRef?.name) used.add(`secret/${ns}/${e.valueFrom.secretKeyRef.name}`);
            if (e?.valueFrom?.configMapKeyRef?.name) used.add(`configmap/${ns}/${e.valueFrom.configMapKeyRef.name}`);
          }
        }
        const digest = Object.entries(t.metadata?.annotations ?? {}).some(([k, v]) => /digest|checksum|sha256|hash/i.test(k) && /[0-9a-f]{32,}/i.test(String(v)));
        if (digest) continue;
        const stale = [...used].filter((key) => declared.has(key) && !/[-.][0-9a-f]{8,}$/.test(key.split("/")[2] ?? ""));
        if (stale.length > 0) report(`${w.type.split(":").pop()} "${w.name}" reads ${stale.join(", ")} without a digest annotation on its pod template (and they are not content-named): a change of their content (a rotated token, a new configuration) reaches no running pod.`, w.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-secret-volumes-one-container",
    description:
      "Within a pod, each Secret volume (or projected Secret source) is mounted by one container: a sidecar (an exporter, a log shipper) mounting the serving container's Secret holds its private key or token too, from a binary with its own vulnerabilities.",
    enforcementLevel: "mandatory",
    judges: [...POD_TYPES],
    validate: (resources, _ctx, report) => {
      for (const w of resources.filter((r) => POD_TYPES.includes(r.type as never))) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(podTemplateOf(w.type, w.props as Record<string, unknown>).spec ?? {})) as PodSpec);
        if (!spec) continue;
        const secretVolumes = (list(spec.volumes) as { name?: string; secret?: unknown; projected?: { sources?: { secret?: unknown }[] } }[]).filter((v) => v?.secret !== undefined || list(v?.projected?.sources).some((x) => x?.secret !== undefined)).map((v) => String(v?.name));
        for (const vol of secretVolumes) {
          const mounting = [...list(spec.initContainers as Container[] | undefined), ...list(spec.containers as Container[] | undefined)].filter((c) => list((c as { volumeMounts?: { name?: string }[] }).volumeMounts).some((m) => m?.name === vol)).map((c) => String((c as { name?: string }).name));
          if (mounting.length > 1) report(`${w.type.split(":").pop()} "${w.name}" mounts Secret volume "${vol}" into ${mounting.length} containers (${mounting.join(", ")}): only the container that uses it should hold it.`, w.urn);
        }
      }
    },
  }),
  stackRule({
    name: "autoscaled-counts-left-to-autoscalers",
    description:
      "A count an autoscaler owns is left to it by every deployment: a Deployment an HPA scales that declares spec.replicas ignores changes to it (ignoreChanges spec.replicas), and a managed node group that may grow (maxSize above minSize) in a stack running the Cluster Autoscaler ignores scalingConfig.desiredSize. Otherwise each `pulumi up` sets the count back to the program's value: a busy app loses the pods the HPA added, and nodes holding pods are drained.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.horizontalPodAutoscaler, ...TYPES.workload, "aws:eks/nodeGroup:NodeGroup"],
    validate: (resources, _ctx, report) => {
      const ignores = (r: PolicyResource, path: string) =>
        (r.opts?.ignoreChanges ?? []).some((x) => { const p = String(x); return p === "*" || p === path || path.startsWith(`${p}.`); });
      for (const h of ofType(resources, TYPES.horizontalPodAutoscaler)) {
        const ref = ifKnown(() => (h.props.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef);
        const ns = ifKnown(() => (h.props.metadata as { namespace?: string } | undefined)?.namespace);
        if (!ref?.name) continue;
        for (const d of ofType(resources, TYPES.workload)) {
          const meta = ifKnown(() => (d.props as Workload).metadata);
          if (meta?.name !== ref.name || !d.type.endsWith(`:${ref.kind ?? "Deployment"}`) || (ns !== undefined && meta?.namespace !== undefined && meta.namespace !== ns)) continue;
          if (!isSet(ifKnown(() => (d.props as { spec?: { replicas?: unknown } }).spec?.replicas))) continue;
          if (!ignores(d, "spec.replicas")) report(`${d.type.split(":").pop()} "${d.name}" is scaled by HPA "${h.name}" but sets spec.replicas without ignoreChanges ["spec.replicas"]: every deployment resets the replicas the HPA added.`, d.urn);
        }
      }
      const autoscaler = ofType(resources, TYPES.workload).some((d) => /cluster-autoscaler/.test(JSON.stringify(ifKnown(() => (d.props as Workload).spec) ?? {})));
      if (!autoscaler) return;
      for (const g of ofType(resources, ["aws:eks/nodeGroup:NodeGroup"])) {
        const sc = ifKnown(() => g.props.scalingConfig as { minSize?: unknown; maxSize?: unknown; desiredSize?: unknown } | undefined);
        const min = num(sc?.minSize);
        const max = num(sc?.maxSize);
        if (min === undefined || max === undefined || max <= min || !isSet(sc?.desiredSize)) continue;
        if (!ignores(g, "scalingConfig.desiredSize")) report(`Node group "${g.name}" may grow to ${max} nodes under the Cluster Autoscaler but has no ignoreChanges ["scalingConfig.desiredSize"]: every deployment sets it back to ${String(sc?.desiredSize)} node(s), draining the nodes it added.`, g.urn);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-pod-defaults",
    description: "Every pod-bearing kind sets its hardening at the pod level too, so every container — including init and ephemeral debug containers added later — inherits it: no Kubernetes API token mounted (automountServiceAccountToken false, and no projected serviceAccountToken for the API server's audience, unless the service account is in `apiServiceAccounts`), no shared process namespace, no hostAliases pinning a name DNS would resolve (any dotted name, `kubernetes`, `localhost`) to a fixed address, no container serving SSH (port 22 or a port named ssh*), and a pod securityContext with runAsNonRoot true and a RuntimeDefault/Localhost seccomp profile.",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    config: { apiServiceAccounts: API_SERVICE_ACCOUNTS_CONFIG },
    validate: (p, { args, config }, report) => {
      const spec = podSpecOfKind(args.type, p);
      const sa = String(at(spec, "serviceAccountName").value ?? "default");
      const token = at(spec, "automountServiceAccountToken");
      if (!token.unknown && token.value !== false && token.value !== "false" && !(config.apiServiceAccounts as string[]).includes(sa)) {
        report(`Pods of "${args.name}" mount service account "${sa}"'s Kubernetes API token (automountServiceAccountToken ${token.value === undefined ? "unset: true" : String(token.value)}); set it false (IRSA's AWS token is a separate projected volume), or list the account in apiServiceAccounts.`);
      }
      // The same token by another route: a projected serviceAccountToken for the API server's audience (unset).
      if (!(config.apiServiceAccounts as string[]).includes(sa)) {
        for (const v of list(at(spec, "volumes").value as { name?: string; projected?: { sources?: { serviceAccountToken?: { audience?: string } }[] } }[] | undefined)) {
          for (const source of list(v?.projected?.sources)) {
            const token = source?.serviceAccountToken;
            if (token && (token.audience === undefined || token.audience === "")) report(`Pods of "${args.name}" mount service account "${sa}"'s Kubernetes API token through projected volume "${v?.name}" (serviceAccountToken without an audience is the API server's); give it an audience (e.g. sts.amazonaws.com) or list the account in apiServiceAccounts.`);
          }
        }
      }
      // /etc/hosts entries override DNS for the names they list: a cluster Service, an AWS endpoint, an internal name
      // or any public host (an API the pod sends credentials to) pinned to a fixed address sends the pod's requests
      // wherever that address is. Only a single-label local name outside those (a device on the node's network) passes.
      for (const alias of list(at(spec, "hostAliases").value as { ip?: string; hostnames?: string[] }[] | undefined)) {
        const pinned = list(alias?.hostnames).filter((h) => String(h).replace(/\.$/, "").includes(".") || /^(localhost|kubernetes)$/i.test(String(h)));
        if (pinned.length > 0) report(`Pods of "${args.name}" pin ${pinned.join(", ")} to ${alias?.ip} (hostAliases): the pod's requests to that service go to a fixed address, past DNS and whatever answers there.`);
      }
      // An SSH server in a pod is a shell past the API server's RBAC and audit log (kubescape C-0042, kube-linter ssh-port).
      for (const c of [...list(at(spec, "initContainers").value as Container[] | undefined), ...list(at(spec, "containers").value as Container[] | undefined)]) {
        for (const port of list(c?.ports)) {
          if (num(port?.containerPort) === 22 || /^ssh/i.test(String(port?.name ?? ""))) report(`Container "${c?.name}" of "${args.name}" serves SSH (port ${port?.name ? `"${port.name}" ` : ""}${port?.containerPort}): a shell that bypasses Kubernetes RBAC and audit; use kubectl debug.`);
        }
      }
      const sharedPid = at(spec, "shareProcessNamespace");
      if (!sharedPid.unknown && (sharedPid.value === true || sharedPid.value === "true")) report(`Pods of "${args.name}" share one process namespace (shareProcessNamespace): each container can read the others' environment and files through /proc/<pid>.`);
      const nonRoot = at(spec, "securityContext.runAsNonRoot");
      if (!nonRoot.unknown && nonRoot.value !== true) report(`Pods of "${args.name}" set no pod-level securityContext.runAsNonRoot: true; a container without its own (an added sidecar, a debug container) would run as the image's user.`);
      const seccomp = at(spec, "securityContext.seccompProfile.type");
      if (!seccomp.unknown && seccomp.value !== "RuntimeDefault" && seccomp.value !== "Localhost") report(`Pods of "${args.name}" set no pod-level securityContext.seccompProfile (RuntimeDefault or Localhost); a container without its own would run unconfined.`);
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-secrets-as-files",
    description:
      "No container of any pod-bearing kind (init and ephemeral containers included) takes a Secret into its environment (env valueFrom.secretKeyRef, envFrom secretRef): secrets reach pods as mounted files (the app reads REDIS_URL_FILE), since the environment leaks to /proc/<pid>/environ, crash reports, child processes and `kubectl describe`-style dumps. checkov CKV_K8S_35. And those files are not world-readable: a secret volume's (or a projected volume's secret source's) item mode or defaultMode grants nothing to other users (unset is Kubernetes' 0644).",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    validate: (p, { args }, report) => {
      const spec = podSpecOfKind(args.type, p) as Record<string, unknown>;
      // The files themselves: readable by the pod's own user and group (fsGroup) only, never by every user of the container.
      for (const v of list(ifKnown(() => spec.volumes as SecretVolume[] | undefined))) {
        for (const f of secretFileModes(v)) {
          if (f.mode & 0o007) report(`Volume "${v?.name}" of "${args.name}" mounts Secret "${f.secret}"${f.path ? ` key ${f.path}` : ""} with mode ${octal(f.mode)}${f.defaulted ? " (unset: Kubernetes' 0644)" : ""}: every user in the container can read it; set defaultMode (or the item's mode) to 0440 or 0400.`);
        }
      }
      const containers = ["initContainers", "containers", "ephemeralContainers"].flatMap((k) => list(spec[k] as Container[] | undefined));
      for (const c of containers) {
        const name = ifKnown(() => c?.name) ?? "?";
        for (const e of list(ifKnown(() => c?.env as { name?: string; valueFrom?: { secretKeyRef?: { name?: string; key?: string } } }[] | undefined))) {
          const ref = e?.valueFrom?.secretKeyRef;
          if (ref) report(`Container "${name}" of "${args.name}" reads Secret "${ref.name}" key "${ref.key}" into environment variable ${e.name}: mount the Secret as a file and pass its path instead.`);
        }
        for (const e of list(ifKnown(() => c?.envFrom as { secretRef?: { name?: string } }[] | undefined))) {
          if (e?.secretRef) report(`Container "${name}" of "${args.name}" loads every key of Secret "${e.secretRef.name}" into its environment (envFrom secretRef): mount the Secret as files instead.`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "nginx-conf-hardened",
    description:
      "Every nginx configuration a ConfigMap holds (key `nginxConfKey`) hides its version (server_tokens off in the http block or every server: unset is on), lists no directory (no autoindex on), and where it speaks TLS offers only TLSv1.2/TLSv1.3 (ssl_protocols, with nginx's own default TLSv1.2 TLSv1.3 when unset), no weak or non-forward-secret cipher (RC4, DES/3DES, MD5, NULL, EXPORT, LOW/MEDIUM, ALL, anonymous, PSK/SRP, static-RSA suites; `!`-excluded ones are fine), and no session tickets (nginx's default is on); bounds request bodies (client_max_body_size neither 0 nor above maxBodySize) and slow clients (client_header_timeout, client_body_timeout, send_timeout at most maxClientTimeout); proxies only to hosts it names (no variable in a *_pass target's host); logs requests (no http-level access_log off or /dev/null, and no proxying location unlogged except unloggedPaths and the named locations only they send to) and errors (error_log neither off nor /dev/null, level error or lower). Also: no TLS floor or weak suite through ssl_conf_command (MinProtocol, Protocol, CipherString, Ciphersuites) or DEFAULT/@SECLEVEL=0/1 in a cipher string; no alias traversal; no redirect to a client-named host and no decoded $uri in a redirect or header; upstream servers, literal proxy targets and resolvers inside the cluster or VPC; no proxy_next_upstream non_idempotent; no method gate admitting TRACE/TRACK/CONNECT; large_client_header_buffers within maxHeaderBuffers. Its other properties are judged by the chain rules (edge-viewer-address-chain, nginx-trusted-peers-narrow, nginx-security-headers, the timeout rules).",
    enforcementLevel: "mandatory",
    types: TYPES.configMap,
    config: {
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding an nginx configuration." },
      maxBodySize: { type: "string", default: "10m", description: "Largest client_max_body_size accepted (nginx size syntax)." },
      maxClientTimeout: { type: "string", default: "60s", description: "Longest client_header_timeout, client_body_timeout and send_timeout accepted (nginx time syntax)." },
      unloggedPaths: { type: "array", items: { type: "string" }, default: [CONTRACT_HEALTH_PATH], description: "Exact locations that may proxy without an access log line (default: the contract's load-balancer health path, checked every few seconds by every target group)." },
      maxHeaderBuffers: { type: "string", default: "256k", description: "Most request-header memory one connection may hold (large_client_header_buffers number × size, nginx size syntax)." },
    },
    validate: (p, { args, config }, report) => {
      const text = ifKnown(() => (p.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
      if (typeof text !== "string") return;
      const root = parseNginx(text);
      const maxBody = nginxBytes(String(config.maxBodySize)) ?? 10 * 1024 * 1024;
      const maxClientTimeout = nginxSeconds(String(config.maxClientTimeout)) ?? 60;
      const everywhere = (b: NginxBlock): NginxBlock[] => [b, ...b.blocks.flatMap(everywhere)];
      const last = (b: NginxBlock, name: string) => directivesNamed(b, name).at(-1)?.[0];
      for (const http of blocksNamed(root, "http")) {
        const servers = serversOf(root);
        const hidden = last(http, "server_tokens") === "off" ? servers.every((sv) => (last(sv, "server_tokens") ?? "off") === "off") : servers.length > 0 && servers.every((sv) => last(sv, "server_tokens") === "off");
        if (!hidden) report(`nginx.conf of ConfigMap "${args.name}" announces nginx's version (server_tokens is on${last(http, "server_tokens") === undefined ? " by default" : ""} in the http block or a server): set server_tokens off.`);
        const blocks = everywhere(http);
        const upstreamNames = new Set(blocks.filter((x) => x.name === "upstream").map((x) => x.args[0]));
        for (const b of blocks) {
          if (last(b, "autoindex") === "on") report(`nginx.conf of ConfigMap "${args.name}" lists directories (autoindex on in ${b.name} ${b.args.join(" ")}).`);
          for (const protocols of directivesNamed(b, "ssl_protocols")) {
            const old = protocols.filter((x) => !["TLSv1.2", "TLSv1.3"].includes(x));
            if (old.length > 0) report(`nginx.conf of ConfigMap "${args.name}" offers ${old.join(", ")} (ssl_protocols in ${b.name} ${b.args.join(" ")}): only TLSv1.2 and TLSv1.3.`);
          }
          for (const [ciphers] of directivesNamed(b, "ssl_ciphers")) {
            const weak = weakCiphers(ciphers ?? "");
            if (weak.length > 0) report(`nginx.conf of ConfigMap "${args.name}" offers weak or non-forward-secret ciphers ${weak.join(", ")} (ssl_ciphers in ${b.name} ${b.args.join(" ")}).`);
          }
          // The same TLS settings through OpenSSL's own configuration commands, which override ssl_protocols/ssl_ciphers.
          for (const [command, value] of directivesNamed(b, "ssl_conf_command")) {
            const v = String(value ?? "");
            const where = `(ssl_conf_command ${command} ${v} in ${b.name} ${b.args.join(" ")})`;
            if (/^MinProtocol$/i.test(command ?? "") && !/^(TLSv1\.[23]|DTLSv1\.2)$/i.test(v)) report(`nginx.conf of ConfigMap "${args.name}" lowers the TLS floor to ${v} ${where}: only TLSv1.2 and TLSv1.3.`);
            if (/^Protocol$/i.test(command ?? "")) {
              const old = v.split(/[\s,]+/).filter((x) => /^(ALL|SSLv3|TLSv1|TLSv1\.1)$/i.test(x.replace(/^\+/, "")));
              if (old.length > 0) report(`nginx.conf of ConfigMap "${args.name}" turns on ${old.join(", ")} ${where}: only TLSv1.2 and TLSv1.3.`);
            }
            if (/^(CipherString|Ciphersuites)$/i.test(command ?? "")) {
              const weak = weakCiphers(v);
              if (weak.length > 0) report(`nginx.conf of ConfigMap "${args.name}" offers weak or non-forward-secret ciphers ${weak.join(", ")} ${where}.`);
            }
            if (/^Options$/i.test(command ?? "") && /UnsafeLegacyRenegotiation|UnsafeLegacyServerConnect/i.test(v)) report(`nginx.conf of ConfigMap "${args.name}" allows unsafe legacy renegotiation ${where}.`);
          }
          // Files served straight from disk: a prefix location without a trailing slash whose alias has one lets
          // /static../ walk one directory up (alias traversal).
          if (b.name === "location" && b.args.length === 1 && !b.args[0]!.startsWith("@") && !b.args[0]!.endsWith("/")) {
            for (const [target] of directivesNamed(b, "alias")) if ((target ?? "").endsWith("/")) report(`nginx.conf of ConfigMap "${args.name}" aliases location ${b.args[0]} (no trailing slash) to ${target} (with one): ${b.args[0]}../ reads the directory above it.`);
          }
          // Redirects and headers built from what the client wrote: a Host it chose (open redirect) or the decoded URI,
          // where %0d%0a becomes a line break (response splitting). $request_uri stays encoded.
          const built = [
            ...directivesNamed(b, "return").filter((a) => /^30[1278]$/.test(a[0] ?? "")).map((a) => ({ what: `return ${a[0]}`, value: a[1] ?? "", url: true })),
            ...directivesNamed(b, "rewrite").filter((a) => ["redirect", "permanent"].includes(a[2] ?? "")).map((a) => ({ what: "rewrite", value: a[1] ?? "", url: true })),
            ...directivesNamed(b, "add_header").map((a) => ({ what: `add_header ${a[0]}`, value: a[1] ?? "", url: /^location$/i.test(a[0] ?? "") })),
            ...directivesNamed(b, "proxy_set_header").map((a) => ({ what: `proxy_set_header ${a[0]}`, value: a[1] ?? "", url: false })),
          ];
          for (const x of built) {
            const host = x.url ? (/^(?:[a-z]+:)?\/\/([^/]*)/i.exec(x.value)?.[1] ?? "") : "";
            if (/\$(http_|arg_|cookie_)/.test(host)) report(`nginx.conf of ConfigMap "${args.name}" redirects to a host the client names (${x.what} ${x.value} in ${b.name} ${b.args.join(" ")}): an open redirect; use a configured name.`);
            if (/\$(uri|document_uri)\b/.test(x.value)) report(`nginx.conf of ConfigMap "${args.name}" writes the decoded $uri into ${x.what} (${x.value} in ${b.name} ${b.args.join(" ")}): an encoded line break becomes a header of its own (response splitting); use $request_uri.`);
          }
          // nginx never retries a request that may have had effects elsewhere unless told to: a POST sent twice is two orders.
          for (const args2 of directivesNamed(b, "proxy_next_upstream")) if (args2.includes("non_idempotent")) report(`nginx.conf of ConfigMap "${args.name}" retries non-idempotent requests on another upstream (proxy_next_upstream ${args2.join(" ")} in ${b.name} ${b.args.join(" ")}): a POST can run twice.`);
          // Methods a gate on $request_method lets through: TRACE/TRACK echo the request (cookies included) back, CONNECT tunnels.
          if (b.name === "if") {
            const m = /^\(\s*\$request_method\s+!~\s+(.+?)\s*\)$/.exec(b.args.join(" "));
            const admitted = m ? methodsAdmitted(m[1]!.replace(/^"(.*)"$/, "$1"), ["TRACE", "TRACK", "CONNECT"]) : [];
            if (admitted.length > 0) report(`nginx.conf of ConfigMap "${args.name}" lets ${admitted.join(", ")} through its method gate (if (${b.args.join(" ")})): TRACE/TRACK reflect the request's headers (cookies included), CONNECT tunnels.`);
          }
          // Header buffers bound the memory a client can hold per connection before any limit applies.
          for (const [count, size] of directivesNamed(b, "large_client_header_buffers")) {
            const bytes = Number(count) * (nginxBytes(size ?? "") ?? NaN);
            if (!(bytes <= (nginxBytes(String(config.maxHeaderBuffers)) ?? 256 * 1024))) report(`nginx.conf of ConfigMap "${args.name}" lets each connection hold ${count} × ${size} of request headers (large_client_header_buffers in ${b.name} ${b.args.join(" ")}): at most ${String(config.maxHeaderBuffers)} in all.`);
          }
          // Where nginx connects: upstream servers, literal proxy targets and resolvers inside the cluster or the VPC.
          const targets = [
            ...(b.name === "upstream" ? directivesNamed(b, "server").map((a) => ({ what: `upstream ${b.args[0]} server`, host: (a[0] ?? "").replace(/^unix:.*/, "localhost") })) : []),
            ...b.directives.filter((d) => /^(proxy|grpc|fastcgi|uwsgi|scgi)_pass$/.test(d.name)).map((d) => ({ what: d.name, host: /^(?:[a-z]+:\/\/)?([^/]*)/i.exec(d.args[0] ?? "")?.[1] ?? "" })),
            ...directivesNamed(b, "resolver").flatMap((a) => a.filter((x) => !x.includes("=")).map((x) => ({ what: "resolver", host: x }))),
          ];
          for (const t of targets) {
            if (t.host.includes("$") || upstreamNames.has(t.host)) continue;
            const where = internalAddress(t.host);
            if (where !== true) report(`nginx.conf of ConfigMap "${args.name}" connects to ${t.host} (${t.what} in ${b.name} ${b.args.join(" ")}), ${where}: requests (and the client's data in them) leave the cluster, or names resolve where anyone can answer.`);
          }
          // Client-side timeouts bound how long a slow client holds a connection and a worker slot (slowloris).
          for (const d of ["client_header_timeout", "client_body_timeout", "send_timeout"]) {
            for (const [t] of directivesNamed(b, d)) {
              const sec = nginxSeconds(t ?? "");
              if (sec === undefined || sec > maxClientTimeout) report(`nginx.conf of ConfigMap "${args.name}" waits ${t} for a slow client (${d} in ${b.name} ${b.args.join(" ")}): at most ${String(config.maxClientTimeout)}.`);
            }
          }
          // The upstream a request goes to is the configuration's choice: a variable in a proxy target's host lets the
          // request pick it (an open proxy, server-side request forgery into the VPC or the metadata service).
          for (const d of b.directives.filter((x) => /^(proxy|grpc|fastcgi|uwsgi|scgi)_pass$/.test(x.name))) {
            const host = /^(?:[a-z]+:\/\/)?([^/]*)/i.exec(d.args[0] ?? "")?.[1] ?? "";
            if (host.includes("$")) report(`nginx.conf of ConfigMap "${args.name}" proxies to a host taken from a variable (${d.name} ${d.args[0]} in ${b.name} ${b.args.join(" ")}): a request can choose where nginx connects; name an upstream.`);
          }
          for (const [size] of directivesNamed(b, "client_max_body_size")) {
            const bytes = nginxBytes(size ?? "");
            if (bytes === undefined || bytes === 0 || bytes > maxBody) report(`nginx.conf of ConfigMap "${args.name}" accepts request bodies of ${bytes === 0 ? "any size (client_max_body_size 0)" : `client_max_body_size ${size}`} in ${b.name} ${b.args.join(" ")}: at most ${String(config.maxBodySize)}.`);
          }
        }
        // TLS servers: no session tickets (their key never rotates across nginx's lifetime: no forward secrecy; nginx's default is on).
        for (const sv of servers.filter((x) => listensOf(x).some((l) => l.ssl))) {
          const tickets = inherited([http, sv], "ssl_session_tickets")?.[0] ?? "on";
          if (tickets !== "off") report(`nginx.conf of ConfigMap "${args.name}": the TLS server on ${directivesNamed(sv, "listen").map((a) => a[0]).join(", ")} uses session tickets (ssl_session_tickets ${tickets}${inherited([http, sv], "ssl_session_tickets") ? "" : ", nginx's default"}): one ticket key for the pod's life breaks forward secrecy; set it off.`);
        }
        // Logging: requests logged (a location exempt only for unloggedPaths, or a named location only those send to), errors kept.
        const access = inherited([http], "access_log");
        // Unset is nginx's compiled-in log file (the images link it to stdout): judged only when turned off.
        if (access && /^(off|\/dev\/null)$/.test(access[0] ?? "")) report(`nginx.conf of ConfigMap "${args.name}" logs no requests in its http block (access_log ${access[0]}): log to /dev/stdout.`);
        for (const [target, level] of [...directivesNamed(root, "error_log"), ...directivesNamed(http, "error_log")]) {
          if (/^(off|\/dev\/null)$/.test(target ?? "") || ["crit", "alert", "emerg"].includes(level ?? "")) report(`nginx.conf of ConfigMap "${args.name}" drops its errors (error_log ${target} ${level ?? ""}): log at error level or below to /dev/stderr.`);
        }
        const unlogged = config.unloggedPaths as string[];
        for (const sv of servers) {
          const locations = sv.blocks.filter((x) => x.name === "location");
          const exempt = (loc: NginxBlock, seen: Set<NginxBlock>): boolean => {
            if (loc.args[0] === "=" && unlogged.includes(loc.args[1] ?? "")) return true;
            const name = loc.args[0] ?? "";
            if (loc.args.length !== 1 || !name.startsWith("@") || seen.has(loc)) return false;
            const senders = locations.filter((l) => l !== loc && l.directives.some((d) => d.name === "error_page" && d.args.includes(name)));
            return senders.length > 0 && senders.every((l) => exempt(l, new Set([...seen, loc])));
          };
          for (const loc of locations) {
            const own = inherited([http, sv, loc], "access_log");
            if (!proxies(loc) || !own || !/^(off|\/dev\/null)$/.test(own[0] ?? "") || exempt(loc, new Set())) continue;
            report(`nginx.conf of ConfigMap "${args.name}" does not log requests to location ${loc.args.join(" ")} (access_log ${own[0]}), which proxies to the app: only the load balancers' health path may go unlogged (unloggedPaths).`);
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-no-literal-credentials",
    description:
      "No credential is written as a literal where Kubernetes keeps plain configuration: a container's env value, command or args, its probes' and lifecycle hooks' HTTP headers and exec commands (init and ephemeral containers of every pod-bearing kind) and a ConfigMap's data. Judged by value (AWS keys, private keys, service tokens, a password inside a URL) and by name (…PASSWORD, …SECRET, …TOKEN, API/ACCESS/PRIVATE KEY; a name ending in FILE/PATH/NAME/ARN points at one), policies/semantics/credentials.ts. The annotations and labels of a pod-bearing object and its pod template are judged the same way. Anyone who can read the Deployment or ConfigMap (`get`, not `get secrets`) reads these. checkov CKV_K8S_35's neighbour.",
    enforcementLevel: "mandatory",
    types: [...POD_TYPES, "kubernetes:core/v1:ConfigMap"],
    validate: (p, { args }, report) => {
      if (args.type === "kubernetes:core/v1:ConfigMap") {
        for (const field of ["data", "binaryData"] as const) {
          for (const [key, raw] of Object.entries((ifKnown(() => p[field]) as Record<string, unknown> | undefined) ?? {})) {
            // binaryData holds base64: the credential is in what the pods read, the decoded bytes.
            const value = field === "binaryData" && typeof raw === "string" ? Buffer.from(raw, "base64").toString("utf8") : raw;
            // A value may be a whole configuration file (properties, YAML, a kubeconfig): judged entry by entry too.
            const what = literalCredential(key, value) ?? (typeof value === "string" ? credentialInText(value) : undefined);
            if (what) report(`ConfigMap "${args.name}" holds ${what} under key ${key}: put it in a Secret and mount it as a file.`);
          }
        }
        return;
      }
      // Annotations and labels of the object and of its pod template: readable with the object, copied into every pod.
      const metas = [ifKnown(() => p.metadata), ifKnown(() => podTemplateOf(args.type, p).metadata)] as ({ annotations?: Record<string, unknown>; labels?: Record<string, unknown> } | undefined)[];
      for (const meta of metas) {
        for (const field of ["annotations", "labels"] as const) {
          for (const [key, value] of Object.entries(meta?.[field] ?? {})) {
            if (/^(kubectl\.kubernetes\.io\/last-applied-configuration)$/.test(key)) continue;
            const what = literalCredential(key.replace(/^.*\//, ""), value);
            if (what) report(`"${args.name}" carries ${what} in its ${field === "annotations" ? "annotation" : "label"} ${key}: anyone who can read the object (or its pods) reads it; use a Secret mounted as a file.`);
          }
        }
      }
      const spec = podSpecOfKind(args.type, p) as Record<string, unknown>;
      const containers = ["initContainers", "containers", "ephemeralContainers"].flatMap((k) => list(spec?.[k] as Container[] | undefined));
      for (const c of containers) {
        const name = ifKnown(() => c?.name) ?? "?";
        for (const e of list(ifKnown(() => c?.env as { name?: string; value?: unknown }[] | undefined))) {
          const what = literalCredential(String(e?.name ?? ""), ifKnown(() => e?.value));
          if (what) report(`Container "${name}" of "${args.name}" has ${what} in environment variable ${e?.name}: put it in a Secret mounted as a file and pass the file's path.`);
        }
        for (const key of ["command", "args"] as const) {
          for (const arg of list(ifKnown(() => c?.[key] as unknown[] | undefined))) {
            for (const [re, what] of CREDENTIAL_VALUES) if (typeof arg === "string" && re.test(arg)) report(`Container "${name}" of "${args.name}" has ${what} in its ${key}: pass a mounted file's path instead.`);
          }
        }
        // The kubelet's own requests: probes' and lifecycle hooks' HTTP headers and exec commands carry what they are given.
        const handlers = { readinessProbe: c?.readinessProbe, livenessProbe: c?.livenessProbe, startupProbe: c?.startupProbe, postStart: c?.lifecycle?.postStart, preStop: c?.lifecycle?.preStop } as Record<string, { httpGet?: { httpHeaders?: { name?: unknown; value?: unknown }[] } } | undefined>;
        for (const [where, h] of Object.entries(handlers)) {
          for (const header of list(ifKnown(() => h?.httpGet?.httpHeaders))) {
            const value = ifKnown(() => header?.value);
            const hname = String(ifKnown(() => header?.name) ?? "");
            const what = literalCredential(hname.replace(/-/g, "_"), value) ?? (/^(authorization|proxy-authorization|cookie)$/i.test(hname) && typeof value === "string" && value.trim() !== "" ? `a literal ${hname} header` : undefined);
            if (what) report(`Container "${name}" of "${args.name}" sends ${what} in its ${where}'s HTTP header ${hname}: anyone who can read the object reads it; probe an endpoint that needs no credential.`);
          }
          for (const [path, what] of credentialValuesIn(ifKnown(() => JSON.parse(JSON.stringify(h ?? {}))), ["httpGet"])) report(`Container "${name}" of "${args.name}" has ${what} in its ${where} (${path}).`);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-service-account-token",
    description:
      "Every ServiceAccount the stack declares keeps its Kubernetes API token out of pods that do not call the API: an account named `default` sets automountServiceAccountToken: false (every pod that names no account runs as it, checkov CKV_K8S_41); any other account either sets it false, is listed in `apiServiceAccounts` (pods that call the API), or is named by pods of the plan that all opt out themselves (the pod's automountServiceAccountToken: false wins over the account's). Pods are judged by k8s-pod-defaults. No Secret of type kubernetes.io/service-account-token (a long-lived token for any account).",
    enforcementLevel: "mandatory",
    judges: ["kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:Secret"],
    config: { apiServiceAccounts: API_SERVICE_ACCOUNTS_CONFIG },
    validate: (resources, { config }, report) => {
      for (const r of ofType(resources, ["kubernetes:core/v1:Secret"])) {
        // The same token by another route: a Secret the token controller fills with a token that never expires.
        const type = at(r.props, "type");
        const account = at(r.props, "metadata.annotations").value as Record<string, unknown> | undefined;
        if (type.value === "kubernetes.io/service-account-token") report(`Secret "${r.name}" is a service-account-token Secret (for ${String(account?.["kubernetes.io/service-account.name"] ?? "a service account")}): the token controller fills it with a Kubernetes API token that never expires and is readable by anyone who can read Secrets there; pods get short-lived projected tokens instead.`, r.urn);
      }
      const accounts = ofType(resources, ["kubernetes:core/v1:ServiceAccount"]);
      if (accounts.length === 0) return;
      // The pods that run as each account (namespace/name), and whether each opts out of the token itself.
      let users: Map<string, boolean[]> | undefined;
      let podsUndecided = false;
      const podsOf = (key: string) => {
        users ??= (() => {
          const m = new Map<string, boolean[]>();
          for (const w of ofType(resources, POD_TYPES)) {
            // Which account a pod runs as, where, and whether it opts out: undecidable while any of it is unknown (preview).
            const read = () => { const t = podTemplateOf(w.type, w.props).spec as { serviceAccountName?: unknown; serviceAccount?: unknown; automountServiceAccountToken?: unknown } | undefined; return [(w.props.metadata as { namespace?: unknown } | undefined)?.namespace, t?.serviceAccountName, t?.serviceAccount, t?.automountServiceAccountToken]; };
            if (unknownAt(() => read().join("|")) || unknownAt(() => (w.props as { metadata?: unknown }).metadata) || unknownAt(() => podTemplateOf(w.type, w.props).spec)) podsUndecided = true;
            const spec = (ifKnown(() => podTemplateOf(w.type, w.props).spec) ?? {}) as { serviceAccountName?: unknown; serviceAccount?: unknown; automountServiceAccountToken?: unknown };
            const ns = String(ifKnown(() => (w.props.metadata as { namespace?: string } | undefined)?.namespace) ?? "default");
            const k = `${ns}/${String(spec.serviceAccountName ?? spec.serviceAccount ?? "default")}`;
            m.set(k, [...(m.get(k) ?? []), spec.automountServiceAccountToken === false || spec.automountServiceAccountToken === "false"]);
          }
          return m;
        })();
        return users.get(key) ?? [];
      };
      for (const a of accounts) {
        const name = at(a.props, "metadata.name");
        const token = at(a.props, "automountServiceAccountToken");
        if (name.unknown || token.unknown || token.value === false || token.value === "false") continue;
        const account = String(name.value ?? a.name);
        const ns = String(at(a.props, "metadata.namespace").value ?? "default");
        const pods = podsOf(`${ns}/${account}`);
        const why =
          account === "default"
            ? "it is the account of every pod in its namespace that names none"
            : (config.apiServiceAccounts as string[]).includes(account)
              ? undefined
              : (pods.length > 0 && pods.every(Boolean)) || podsUndecided
                ? undefined
                : pods.length > 0
                  ? "a pod of the plan that runs as it does not opt out itself, and it is not listed in apiServiceAccounts (accounts whose pods call the API)"
                  : "it is not listed in apiServiceAccounts (accounts whose pods call the API) and no pod of the plan that opts out runs as it";
        if (why) report(`ServiceAccount "${account}" ("${a.name}") mounts its Kubernetes API token into pods by default (automountServiceAccountToken ${token.value === undefined ? "unset: true" : String(token.value)}) and ${why}: set it false.`, a.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-images-from-allowed-sources",
    description: "Every container image (containers, init and ephemeral containers of every pod-bearing kind) comes from an ECR repository of the stack or a repository listed in `allowedImageRepositories`: a workload cannot pull in tools nobody reviewed (a cluster dashboard, Tiller, a git-sync sidecar fetching code at run time).",
    enforcementLevel: "mandatory",
    judges: [...POD_TYPES, "aws:ecr/repository:Repository"],
    config: {
      allowedImageRepositories: {
        type: "array",
        items: { type: "string" },
        default: [
          "nginxinc/nginx-unprivileged",
          "docker.io/nginxinc/nginx-unprivileged",
          "nginx/nginx-prometheus-exporter",
          "docker.io/nginx/nginx-prometheus-exporter",
          "registry.k8s.io/autoscaling/cluster-autoscaler",
        ],
        description: "Image repositories (without tag or digest) pods may run besides the stack's ECR repositories; the default is what the stack runs: its nginx image, the nginx exporter sidecar and the Cluster Autoscaler.",
      },
    },
    validate: (resources, { config }, report) => {
      const repoOf = (image: string) => image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
      const allowed = new Set((config.allowedImageRepositories as string[]).map((r) => r.replace(/\/$/, "")));
      const repos = ofType(resources, ["aws:ecr/repository:Repository"]);
      const ecr = repos.map((r) => ifKnown(() => r.props.name)).filter((n): n is string => typeof n === "string");
      const ecrUnknown = repos.some((r) => unknownAt(() => r.props.name));
      // An ECR image while a repository's name is unknown (preview) may be that repository's.
      const fromStackEcr = (repo: string) => /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(repo) && (ecrUnknown || ecr.includes(repo.replace(/^[^/]+\//, "")));
      for (const w of ofType(resources, POD_TYPES)) {
        const spec = ifKnown(() => podSpecOfKind(w.type, w.props)) ?? {};
        const containers = [...allContainersOf(spec), ...list((spec as { ephemeralContainers?: Container[] }).ephemeralContainers)];
        for (const c of containers) {
          const image = ifKnown(() => c.image);
          if (typeof image !== "string" || masked(image)) continue;
          const repo = repoOf(image);
          if (allowed.has(repo) || fromStackEcr(repo)) continue;
          report(`Container "${c.name}" of "${w.name}" runs ${image}, from a repository that is neither an ECR repository of the stack nor in allowedImageRepositories.`, w.urn);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "app-environment-valid",
    description:
      "Every container that runs the app (it sets one of the app's own variables: REDIS_URL(_FILE), RATE_LIMIT_*, TRUST_PROXY_CIDRS, SHUTDOWN_*, KEEPALIVE_TIMEOUT_MS, WS_*) has an environment the app accepts at start (@edgestack/contract parseAppEnvironment: each variable's bounds, shutdown deadline above the delay, headers timeout above keep-alive, metrics port apart from the serving port): otherwise every new pod exits at start and a rollout takes the service down. Values from valueFrom are not judged (unknown until run).",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    validate: (p, { args }, report) => {
      const spec = podSpecOfKind(args.type, p) as Record<string, unknown>;
      for (const c of ["initContainers", "containers"].flatMap((k) => list(spec[k] as Container[] | undefined))) {
        const env = ifKnown(() => list(c?.env as { name?: string; value?: unknown; valueFrom?: unknown }[] | undefined));
        if (!env || !env.some((e) => APP_MARKERS.test(String(e?.name)))) continue;
        if (env.some((e) => unknownAt(() => e?.value) || masked(e?.value))) continue;
        const values: Record<string, string> = {};
        for (const e of env) if (typeof e?.name === "string" && APP_ENV_NAMES.includes(e.name as never) && (typeof e.value === "string" || typeof e.value === "number")) values[e.name] = String(e.value);
        const parsed = parseAppEnvironment(values);
        if (!parsed.ok) report(`Container "${ifKnown(() => c?.name) ?? "?"}" of "${args.name}" runs the app with an environment it refuses at start (${parsed.problems.join("; ")}): every new pod would exit.`);
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-env-tls-verified",
    description:
      "No container of any pod-bearing kind turns TLS off towards its dependencies: no environment variable that disables certificate verification or lowers the TLS floor (NODE_TLS_REJECT_UNAUTHORIZED=0, NODE_OPTIONS with --tls-min-v1.0/1.1 or --insecure-http-parser, PYTHONHTTPSVERIFY=0, GIT_SSL_NO_VERIFY, an empty CURL_CA_BUNDLE/REQUESTS_CA_BUNDLE), and no plain redis:// URL to a host other than loopback in an env value, command or args (ElastiCache requires TLS; rediss://); and none opens a remote debugger (Node's --inspect family, JDWP, debugpy in command, args or NODE_OPTIONS/JAVA_TOOL_OPTIONS) or preloads code from a path or URL outside the image (--require/-r, --import, --loader, -javaagent: preloadFromPath). The same variables in a ConfigMap's data are judged on the ConfigMap (a container takes them through envFrom or configMapKeyRef). URLs inside Secrets are not judged here (masked in the plan).",
    enforcementLevel: "mandatory",
    types: [...POD_TYPES, "kubernetes:core/v1:ConfigMap"],
    validate: (p, { args }, report) => {
      if (args.type === "kubernetes:core/v1:ConfigMap") {
        for (const [key, value] of Object.entries((ifKnown(() => p.data) as Record<string, unknown> | undefined) ?? {})) {
          if (typeof value !== "string" || !/^[A-Z_][A-Z0-9_]*$/.test(key)) continue;
          const why = tlsWeakening(key, value);
          if (why) report(`ConfigMap "${args.name}" sets ${key}=${value} for the containers that load it: ${why}.`);
          const debug = DEBUG_OPTION_VARS.includes(key) ? debuggerFlag(value) : undefined;
          if (debug) report(`ConfigMap "${args.name}" sets ${key} with ${debug} for the containers that load it: a remote debugger anyone who reaches the port can run code through.`);
          const preload = DEBUG_OPTION_VARS.includes(key) ? preloadFromPath(value) : undefined;
          if (preload) report(`ConfigMap "${args.name}" sets ${key} with ${preload} for the containers that load it: code from outside the image runs before the program.`);
        }
        return;
      }
      const spec = podSpecOfKind(args.type, p) as Record<string, unknown>;
      for (const c of ["initContainers", "containers", "ephemeralContainers"].flatMap((k) => list(spec[k] as Container[] | undefined))) {
        const name = ifKnown(() => c?.name) ?? "?";
        for (const e of list(ifKnown(() => c?.env as { name?: string; value?: unknown }[] | undefined))) {
          const value = ifKnown(() => e?.value);
          if (typeof value !== "string" && typeof value !== "number") continue;
          const why = tlsWeakening(String(e?.name ?? ""), String(value));
          if (why) report(`Container "${name}" of "${args.name}" sets ${e?.name}=${String(value)}: ${why}.`);
          const debug = DEBUG_OPTION_VARS.includes(String(e?.name)) ? debuggerFlag(String(value)) : undefined;
          if (debug) report(`Container "${name}" of "${args.name}" opens a remote debugger (${e?.name} ${debug}): anyone who reaches the port runs code in the pod.`);
          const preload = DEBUG_OPTION_VARS.includes(String(e?.name)) ? preloadFromPath(String(value)) : undefined;
          if (preload) report(`Container "${name}" of "${args.name}" runs code from outside the image before the program (${e?.name} ${preload}): a file on a writable mount or the network runs with the app's identity.`);
        }
        for (const key of ["command", "args"] as const) {
          for (const arg of list(ifKnown(() => c?.[key] as unknown[] | undefined))) {
            if (typeof arg === "string" && plainRedis(arg)) report(`Container "${name}" of "${args.name}" connects to Redis in plain text in its ${key} (${arg.replace(/\/\/[^@/]*@/, "//…@")}): use rediss://.`);
            const debug = typeof arg === "string" ? debuggerFlag(arg) : undefined;
            if (debug) report(`Container "${name}" of "${args.name}" opens a remote debugger in its ${key} (${debug}): anyone who reaches the port runs code in the pod.`);
          }
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "k8s-no-fetched-code-or-remote-hooks",
    description:
      "No container of any pod-bearing kind runs code fetched at run time: a command, args, lifecycle hook or probe exec that downloads (curl, wget, fetch over http/https/ftp) and runs what it got (piped to a shell or interpreter, or saved then executed) runs whatever that server (or anyone on a plain-HTTP path) sends, outside the reviewed image (policies/rules/kubernetes.ts fetchesAndRuns). No lifecycle hook (postStart, preStop) calls another host (httpGet or tcpSocket with host): the kubelet makes that request from the node, into the VPC or to the metadata service, and the pod's start or stop then depends on it. Probes are judged by k8s-readiness-independent.",
    enforcementLevel: "mandatory",
    types: POD_TYPES,
    validate: (p, { args }, report) => {
      const spec = podSpecOfKind(args.type, p) as Record<string, unknown>;
      for (const c of ["initContainers", "containers", "ephemeralContainers"].flatMap((k) => list(spec?.[k] as Container[] | undefined))) {
        const name = ifKnown(() => c?.name) ?? "?";
        const lifecycle = ifKnown(() => c?.lifecycle as Record<string, { exec?: { command?: unknown[] }; httpGet?: { host?: unknown }; tcpSocket?: { host?: unknown } } | undefined>);
        const commands: [string, unknown[]][] = [
          ["command and args", [...list(ifKnown(() => c?.command as unknown[] | undefined)), ...list(ifKnown(() => c?.args as unknown[] | undefined))]],
          ...Object.entries(lifecycle ?? {}).map(([hook, h]) => [`${hook} hook`, list(h?.exec?.command)] as [string, unknown[]]),
          ...(["readinessProbe", "livenessProbe", "startupProbe"] as const).map((k) => [k, list(ifKnown(() => (c?.[k] as { exec?: { command?: unknown[] } } | undefined)?.exec?.command))] as [string, unknown[]]),
        ];
        for (const [what, cmd] of commands) {
          const text = cmd.filter((x): x is string => typeof x === "string").join(" ");
          const fetched = fetchesAndRuns(text);
          if (fetched) report(`Container "${name}" of "${args.name}" runs code it downloads in its ${what} (${fetched}): whatever that server sends runs in the pod, outside the reviewed image.`);
        }
        for (const [hook, h] of Object.entries(lifecycle ?? {})) {
          const host = h?.httpGet?.host ?? h?.tcpSocket?.host;
          if (isSet(host)) report(`The ${hook} hook of container "${name}" in "${args.name}" calls ${String(host)}: the kubelet makes that request from the node (into the VPC, or the metadata service), and the pod's ${hook === "preStop" ? "stop" : "start"} waits on another host.`);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-nodeports-are-lb-targets",
    description:
      "A node port is opened only for a load balancer of the stack: every port of a NodePort (or LoadBalancer) Service has an explicit nodePort that is the port (or health-check port) of one of the stack's target groups, or the Service port a TargetGroupBinding registers. A node port no load balancer targets opens the pods behind it on every node's address (kube-proxy), past nginx and the edge: an app Service turned NodePort, nginx's status port given one, a random nodePort. Not judged: the node security groups (lb-target-ports-from-lb-security-groups).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.targetGroup, ...TYPES.service, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", "kubernetes:elbv2.k8s.aws/v1:TargetGroupBinding"],
    validate: (resources, _ctx, report) => {
      const groups = ofType(resources, TYPES.targetGroup);
      if (groups.some((tg) => unknownAt(() => tg.props.port) || unknownAt(() => JSON.stringify(tg.props.healthCheck ?? {})))) return; // known after deployment
      const targeted = new Set<number>();
      for (const tg of groups) {
        const port = num(ifKnown(() => tg.props.port));
        if (port !== undefined) targeted.add(port);
        const hc = num(ifKnown(() => (tg.props.healthCheck as { port?: unknown } | undefined)?.port));
        if (hc !== undefined) targeted.add(hc);
      }
      // TargetGroupBindings (AWS Load Balancer Controller) register a Service port by name or number.
      const bindings = resources.filter((r) => /:TargetGroupBinding$/.test(r.type));
      if (bindings.some((b) => unknownAt(() => JSON.stringify(b.props.spec ?? {})))) return;
      const bound = bindings.map((b) => ifKnown(() => (b.props.spec as { serviceRef?: { name?: string; port?: unknown } } | undefined)?.serviceRef)).filter((x) => x !== undefined);
      for (const svc of ofType(resources, TYPES.service)) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(svc.props.spec ?? {})) as Service["spec"]);
        if (!spec || (spec.type !== "NodePort" && spec.type !== "LoadBalancer")) continue;
        const svcName = ifKnown(() => (svc.props.metadata as { name?: string } | undefined)?.name);
        if (bindings.length > 0 && unknownAt(() => (svc.props.metadata as { name?: string } | undefined)?.name)) continue; // a binding may name it
        for (const sp of list(spec.ports)) {
          const nodePort = num(sp?.nodePort);
          const viaBinding = bound.some((ref) => ref?.name === svcName && (ref?.port === sp?.name || num(ref?.port) === num(sp?.port)));
          if (viaBinding || (nodePort !== undefined && targeted.has(nodePort))) continue;
          const what = `Service "${svc.name}" port ${sp?.name ?? sp?.port} (→ ${sp?.targetPort ?? sp?.port})`;
          report(
            nodePort === undefined
              ? `${what} gets a node port Kubernetes picks at random, which no load balancer of the stack targets: the pods behind it answer on every node's address, past the edge.`
              : `${what} opens node port ${nodePort}, which no target group of the stack uses: the pods behind it answer on every node's address, past nginx and the edge. Keep the Service ClusterIP, or make the port a load balancer's target.`,
            svc.urn,
          );
        }
      }
    },
  }),
  stackRule({
    name: "k8s-service-ready-endpoints-only",
    description:
      "No Service that selects the pods of a Deployment (or ReplicaSet/ReplicationController) publishes not-ready addresses (publishNotReadyAddresses: true): a pod that fails readiness, or drains after SIGTERM, would keep getting traffic (nginx resolves the app's headless Service for its upstream). StatefulSet peer discovery is not judged.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.deployment, ...TYPES.service, "kubernetes:apps/v1:ReplicaSet", "kubernetes:core/v1:ReplicationController"],
    validate: (resources, _ctx, report) => {
      const served = ofType(resources, [...TYPES.deployment, "kubernetes:apps/v1:ReplicaSet", "kubernetes:core/v1:ReplicationController"]);
      for (const svc of ofType(resources, TYPES.service)) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(svc.props.spec ?? {})) as Service["spec"]);
        if (!spec || (spec.publishNotReadyAddresses !== true && String(spec.publishNotReadyAddresses) !== "true")) continue;
        const selector = (spec.selector ?? {}) as Record<string, string>;
        const hits = served.filter((w) => {
          const labels = ifKnown(() => ({ ...(podTemplateOf(w.type, w.props as Record<string, unknown>).metadata?.labels ?? {}) }) as Record<string, string>);
          return labels === undefined || (Object.keys(selector).length > 0 && selectorMatches({ matchLabels: selector }, labels));
        });
        if (hits.length > 0) report(`Service "${svc.name}" publishes not-ready addresses of ${hits.map((w) => `"${w.name}"`).join(", ")}: pods failing readiness or draining after SIGTERM keep receiving requests.`, svc.urn);
      }
    },
  }),
  stackRule({
    name: "k8s-service-selects-stack-pods",
    description: "Every Service with a selector selects the pods of a pod-bearing resource of the stack in its namespace: a Service selecting nothing of ours is a stray entry point (or one waiting for whatever pod takes those labels); each targetPort given by name is a port a container of those pods declares (otherwise the port has no endpoint).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.service, ...POD_TYPES],
    validate: (resources, _ctx, report) => {
      const ns = (m: unknown) => String((m as { namespace?: unknown } | undefined)?.namespace ?? "default");
      const workloads = ofType(resources, POD_TYPES);
      for (const svc of ofType(resources, TYPES.service)) {
        const p = ifKnown(() => JSON.parse(JSON.stringify(svc.props)) as Service);
        const selector = p?.spec?.selector as Record<string, string> | undefined;
        if (!p || !selector || Object.keys(selector).length === 0 || p.spec?.type === "ExternalName") continue;
        let portNames: Set<string> | undefined = new Set();
        const matched = workloads.filter((w) => {
          const t = ifKnown(() => JSON.parse(JSON.stringify(podTemplateOf(w.type, w.props as Record<string, unknown>))) as { metadata?: { labels?: Record<string, string> }; spec?: PodSpec });
          if (t === undefined) {
            portNames = undefined; // unknown in preview: may match, with any port
            return true;
          }
          const wNs = ifKnown(() => ns((w.props as { metadata?: unknown }).metadata));
          const hit = (wNs === undefined || wNs === ns(p.metadata)) && Object.entries(selector).every(([k, v]) => t.metadata?.labels?.[k] === v);
          if (hit) for (const c of allContainersOf(t.spec ?? {})) for (const port of list(c.ports)) if (typeof port?.name === "string") portNames?.add(port.name);
          return hit;
        }).length > 0;
        // A targetPort by name is resolved in each selected pod: a name no container of them declares gets no endpoint.
        const names = portNames as Set<string> | undefined;
        if (matched && names) {
          for (const sp of list(p.spec?.ports)) {
            const target = sp?.targetPort;
            if (typeof target === "string" && num(target) === undefined && !names.has(target)) report(`Service "${svc.name}" port ${sp?.name ?? sp?.port} targets port "${target}", which no container of the pods it selects declares: it has no endpoint.`, svc.urn);
          }
        }
        if (!matched) report(`Service "${svc.name}" selects ${JSON.stringify(selector)}, which no pod-bearing resource of the stack in namespace "${ns(p.metadata)}" labels its pods with.`, svc.urn);
      }
    },
  }),
  stackRule({
    name: "nginx-serves-no-secret-files",
    description:
      "No nginx configuration a ConfigMap holds serves files from where its pods mount Secrets: a root or alias at, under or above a container's mount of a Secret (a secret volume, or a projected one with a secret source) in a workload that mounts that ConfigMap would hand the TLS key or the Redis token to any client. It does not judge files nginx serves from elsewhere (nginx-conf-hardened judges alias traversal).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.configMap, ...POD_TYPES],
    config: { nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding an nginx configuration." } },
    validate: (resources, { config }, report) => {
      const confs = ofType(resources, TYPES.configMap)
        .map((cm) => ({ cm, name: ifKnown(() => (cm.props.metadata as { name?: string } | undefined)?.name), text: ifKnown(() => (cm.props.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]) }))
        .filter((x): x is { cm: PolicyResource; name: string; text: string } => typeof x.text === "string" && typeof x.name === "string");
      if (confs.length === 0) return;
      const under = (a: string, b: string) => a === b || a.startsWith(b.endsWith("/") ? b : `${b}/`);
      for (const w of ofType(resources, POD_TYPES)) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(podSpecOfKind(w.type, w.props))) as PodSpec & { volumes?: (SecretVolume & { configMap?: { name?: string } })[] });
        if (!spec) continue;
        const volumes = list(spec.volumes);
        const secretVolumes = new Set(volumes.filter((v) => v?.secret !== undefined || list(v?.projected?.sources).some((x) => x?.secret !== undefined)).map((v) => v?.name));
        for (const c of allContainersOf(spec)) {
          const mounts = list(c.volumeMounts as { name?: string; mountPath?: string }[] | undefined);
          const secretPaths = mounts.filter((m) => secretVolumes.has(m?.name) && typeof m?.mountPath === "string").map((m) => m.mountPath!.replace(/\/+$/, "") || "/");
          if (secretPaths.length === 0) continue;
          const mountedConfs = mounts.map((m) => volumes.find((v) => v?.name === m?.name)?.configMap?.name).filter((n): n is string => typeof n === "string");
          for (const { cm, name, text } of confs.filter((x) => mountedConfs.includes(x.name))) {
            const walk = (b: NginxBlock): NginxBlock[] => [b, ...b.blocks.flatMap(walk)];
            for (const b of walk(parseNginx(text))) {
              for (const d of b.directives.filter((x) => x.name === "root" || x.name === "alias")) {
                const path = (d.args[0] ?? "").replace(/\/+$/, "") || "/";
                if (!path.startsWith("/")) continue;
                const hit = secretPaths.find((sp) => under(sp, path) || under(path, sp));
                if (hit) report(`nginx (ConfigMap "${name}") serves files from ${d.args[0]} (${d.name} in ${b.name} ${b.args.join(" ")}), where container "${c.name}" of "${w.name}" mounts a Secret (${hit}): any client can fetch it.`, cm.urn);
              }
            }
          }
        }
      }
    },
  }),
];
