import { Policies, PolicyResource, ReportViolation } from "@pulumi/policy";
import { blocksNamed, directivesNamed, NginxBlock, nginxSeconds, parseNginx, proxies } from "../semantics/nginx";
import { flagValue } from "../semantics/argv";
import { ifKnown, list, num, ofType, stackRule, TYPES, unknownAt } from "./common";
import { APP_ENV, APP_ROUTES } from "@edgestack/contract";

/** Seconds a container's preStop hook pauses (the native sleep action, or an exec of `sleep N`). */
export function preStopSeconds(lifecycle: unknown): number {
  const pre = (lifecycle as { preStop?: { sleep?: { seconds?: unknown }; exec?: { command?: unknown[] } } } | undefined)?.preStop;
  if (!pre) return 0;
  const native = num(pre.sleep?.seconds);
  if (native !== undefined) return native;
  const m = /sleep\s+(\d+(?:\.\d+)?)/.exec((pre.exec?.command ?? []).map(String).join(" "));
  return m ? Number(m[1]) : 0;
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** nginx time value ("75", "75s", "1m30s", "500ms") in seconds, or undefined if malformed. */
export function nginxTimeSeconds(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]], 0);
}

export interface NginxKeepalive {
  /** Smallest client-side keepalive_timeout (http/server/location contexts); nginx's default 75s when none is set. */
  client: number;
  /** Longest upstream keepalive_timeout among upstreams that pool connections (default 60s), undefined if none pools. */
  upstream?: number;
}

/**
 * Reads the two keepalive_timeout values the timeout chain needs from an nginx.conf. Hand-written: only the block
 * structure and two directives matter, and the npm nginx-config parsers are file/callback oriented for a string we
 * already hold.
 */
export function parseNginxKeepalive(conf: string): NginxKeepalive {
  let parsed = keepalives.get(conf);
  if (!parsed) {
    if (keepalives.size >= 64) keepalives.clear();
    parsed = Object.freeze(readNginxKeepalive(conf));
    keepalives.set(conf, parsed);
  }
  return parsed;
}

/** parseNginxKeepalive's answers by config text (every run reads the same few configs). */
const keepalives = new Map<string, Readonly<NginxKeepalive>>();

function readNginxKeepalive(conf: string): NginxKeepalive {
  const text = conf.replace(/(^|[^\\])#[^\n]*/g, "$1");
  const stack: string[] = [];
  let tokens: string[] = [];
  const clientValues: number[] = [];
  const upstreams: { pools: boolean; timeout?: number }[] = [];
  for (const tok of text.match(/"[^"]*"|'[^']*'|[{};]|[^\s{};]+/g) ?? []) {
    if (tok === "{") {
      stack.push(tokens[0] ?? "");
      if (tokens[0] === "upstream") upstreams.push({ pools: false });
      tokens = [];
    } else if (tok === "}") {
      stack.pop();
      tokens = [];
    } else if (tok === ";") {
      const inUpstream = stack[stack.length - 1] === "upstream";
      if (tokens[0] === "keepalive_timeout" && tokens[1]) {
        const secs = nginxTimeSeconds(tokens[1]);
        if (secs !== undefined) {
          if (inUpstream) upstreams[upstreams.length - 1].timeout = secs;
          else clientValues.push(secs);
        }
      } else if (tokens[0] === "keepalive" && inUpstream) {
        upstreams[upstreams.length - 1].pools = true;
      }
      tokens = [];
    } else {
      tokens.push(tok);
    }
  }
  const pooled = upstreams.filter((u) => u.pools).map((u) => u.timeout ?? 60);
  // The chain needs every pooling upstream below the app's keep-alive: the longest one is the link that can break.
  return { client: clientValues.length ? Math.min(...clientValues) : 75, upstream: pooled.length ? Math.max(...pooled) : undefined };
}

interface Link {
  value: number;
  label: string;
  urn: string;
}

const minBy = (xs: Link[]) => xs.reduce<Link | undefined>((m, x) => (m === undefined || x.value < m.value ? x : m), undefined);
const maxBy = (xs: Link[]) => xs.reduce<Link | undefined>((m, x) => (m === undefined || x.value > m.value ? x : m), undefined);
const fmt = (s: number) => (Number.isInteger(s) ? `${s}s` : `${Math.round(s * 1000)}ms`);

function envOf(d: PolicyResource): Map<string, string> {
  const env = new Map<string, string>();
  const containers = ifKnown(() => list(d.props.spec?.template?.spec?.containers as { env?: { name?: string; value?: unknown }[] }[] | undefined)) ?? [];
  for (const c of containers) {
    for (const e of ifKnown(() => list(c.env)) ?? []) {
      const value = ifKnown(() => e.value);
      if (typeof e?.name === "string" && (typeof value === "string" || typeof value === "number")) env.set(e.name, String(value));
    }
  }
  return env;
}

/**
 * The proxy_read_timeout each proxying location runs with (its own, else its server's, else the http block's, else
 * nginx's default 60s): how long nginx waits on a silent upstream.
 */
export function proxyReadTimeouts(root: NginxBlock): { where: string; seconds: number }[] {
  const out: { where: string; seconds: number }[] = [];
  const own = (b: NginxBlock) => {
    const v = directivesNamed(b, "proxy_read_timeout").at(-1)?.[0];
    return v === undefined ? undefined : nginxSeconds(v);
  };
  const walk = (b: NginxBlock, inherited: number) => {
    const here = own(b) ?? inherited;
    if (b.name === "location" && proxies({ ...b, blocks: b.blocks.filter((x) => x.name !== "location") })) out.push({ where: b.args.join(" "), seconds: here });
    for (const child of b.blocks) walk(child, here);
  };
  for (const http of blocksNamed(root, "http")) walk(http, 60);
  return out;
}

export const timeoutPolicies: Policies = [
  stackRule({
    name: "edge-timeout-chain",
    description:
      "Idle/keepalive timeouts shrink towards the client and drain times nest: CloudFront origin keepalive and read timeout < ALB idle < nginx client keepalive; " +
      "nginx upstream keepalive < app keep-alive (< app headers timeout), for every Deployment that sets the app's variables; LB deregistration delay ≤ app shutdown delay < terminationGracePeriodSeconds; and for EVERY Deployment, each container's preStop pause plus its drain (nginx worker_shutdown_timeout, or the app's shutdown delay/deadline) < terminationGracePeriodSeconds; " +
      "the app's shutdown delay < its shutdown deadline; a container that sets the shutdown delay has an HTTP readiness probe on a route that turns 503 on SIGTERM (the readiness or health route, not liveness or metrics) that notices the drain (period × failureThreshold + timeout) within that delay; the app's REDIS_COMMAND_TIMEOUT_MS (default 500 ms) < nginx's shortest proxy_read_timeout; the app's WS_HEARTBEAT_MS (default 30 s) < the WebSocket location's proxy_read_timeout (nginx cuts a socket silent that long); nginx's longest proxy_read_timeout (inherited, default 60s) ≤ ALB idle; the Cluster Autoscaler's --max-graceful-termination-sec (default 600; it caps a drained pod's grace period) ≥ every Deployment container's drain time (preStop + its nginx or app drain). A broken link is reported on both of its resources.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.distribution, ...TYPES.loadBalancer, ...TYPES.configMap, ...TYPES.deployment, ...TYPES.targetGroup],
    config: {
      keepAliveEnv: { type: "string", default: "KEEPALIVE_TIMEOUT_MS", description: "App env var holding its keep-alive timeout (ms)." },
      headersTimeoutEnv: { type: "string", default: "HEADERS_TIMEOUT_MS", description: "App env var holding its headers timeout (ms)." },
      shutdownDelayEnv: { type: "string", default: "SHUTDOWN_DELAY_MS", description: "App env var holding its shutdown (drain) delay (ms)." },
      nginxConfKey: { type: "string", default: "nginx.conf", description: "ConfigMap data key holding the nginx configuration." },
      shutdownTimeoutEnv: { type: "string", default: "SHUTDOWN_TIMEOUT_MS", description: "App env var holding its hard shutdown deadline (ms)." },
    },
    validate: (resources, { config }, report: ReportViolation) => {
      const check = (inner: Link | undefined, outer: Link | undefined, strict: boolean) => {
        if (!inner || !outer) return; // a link whose resources aren't in this stack
        if (strict ? inner.value < outer.value : inner.value <= outer.value) return;
        // A broken link is reported on both of its resources: either side's change breaks it, and a reviewer of either must see it.
        const message = `${inner.label} ${fmt(inner.value)} must be ${strict ? "<" : "≤"} ${outer.label} ${fmt(outer.value)}.`;
        report(message, inner.urn);
        if (outer.urn !== inner.urn) report(message, outer.urn);
      };

      const cloudfront: Link[] = [];
      const cloudfrontRead: Link[] = [];
      for (const d of ofType(resources, TYPES.distribution)) {
        for (const o of ifKnown(() => list(d.props.origins as { originId?: string; customOriginConfig?: { originKeepaliveTimeout?: number } }[])) ?? []) {
          const c = ifKnown(() => o.customOriginConfig);
          if (!c || /s3/.test(String(ifKnown(() => o.originId)))) continue;
          const value = ifKnown(() => num(c.originKeepaliveTimeout) ?? 5);
          if (value !== undefined) cloudfront.push({ value, label: `CloudFront origin keepalive (distribution "${d.name}" origin "${o.originId}")`, urn: d.urn });
          const read = ifKnown(() => num((c as { originReadTimeout?: number }).originReadTimeout) ?? 30);
          if (read !== undefined) cloudfrontRead.push({ value: read, label: `CloudFront origin read timeout (distribution "${d.name}" origin "${o.originId}")`, urn: d.urn });
        }
      }
      const albs: Link[] = [];
      for (const lb of ofType(resources, TYPES.loadBalancer)) {
        if ((ifKnown(() => lb.props.loadBalancerType) ?? "application") !== "application") continue;
        const value = ifKnown(() => num(lb.props.idleTimeout) ?? 60);
        if (value !== undefined) albs.push({ value, label: `ALB idle timeout ("${lb.name}")`, urn: lb.urn });
      }
      let nginxClient: Link | undefined;
      let nginxUpstream: Link | undefined;
      let nginxDrain: number | undefined;
      let nginxDrainUrn: string | undefined;
      let nginxRead: Link | undefined;
      let nginxReadShortest: Link | undefined;
      let nginxWsRead: Link | undefined;
      for (const cm of ofType(resources, TYPES.configMap)) {
        const conf = ifKnown(() => (cm.props.data as Record<string, unknown> | undefined)?.[String(config.nginxConfKey)]);
        if (typeof conf !== "string") continue;
        const parsed = parseNginxKeepalive(conf);
        const wst = directivesNamed(parseNginx(conf), "worker_shutdown_timeout")[0]?.[0];
        if (wst !== undefined) {
          nginxDrain = nginxSeconds(wst);
          nginxDrainUrn = cm.urn;
        }
        nginxClient = { value: parsed.client, label: `nginx client keepalive_timeout (ConfigMap "${cm.name}")`, urn: cm.urn };
        const read = proxyReadTimeouts(parseNginx(conf));
        if (read.length > 0) nginxReadShortest = { value: Math.min(...read.map((r) => r.seconds)), label: `nginx's shortest proxy_read_timeout (ConfigMap "${cm.name}", location ${read.reduce((m, r) => (r.seconds < m.seconds ? r : m)).where})`, urn: cm.urn };
        if (read.length > 0) nginxRead = { value: Math.max(...read.map((r) => r.seconds)), label: `nginx proxy_read_timeout (ConfigMap "${cm.name}", location ${read.reduce((m, r) => (r.seconds > m.seconds ? r : m)).where})`, urn: cm.urn };
        if (parsed.upstream !== undefined) nginxUpstream = { value: parsed.upstream, label: `nginx upstream keepalive_timeout (ConfigMap "${cm.name}")`, urn: cm.urn };
        const ws = read.filter((r) => r.where === `= ${APP_ROUTES.websocket.path}`);
        if (ws.length > 0) nginxWsRead = { value: Math.min(...ws.map((r) => r.seconds)), label: `nginx proxy_read_timeout of the WebSocket location (ConfigMap "${cm.name}", location = ${APP_ROUTES.websocket.path})`, urn: cm.urn };
      }
      const envNames = [config.keepAliveEnv, config.shutdownDelayEnv].map(String);
      // Every Deployment's drain must fit its grace period; the app links apply to each Deployment that sets them.
      const deployments = ofType(resources, TYPES.deployment);
      const apps = deployments.filter((d) => envNames.some((n) => envOf(d).has(n)));
      const appLinks = apps.map((app) => {
        const env = envOf(app);
        const ms = (name: unknown) => num(env.get(String(name)));
        const link = (v: number | undefined, label: string): Link | undefined => (v === undefined ? undefined : { value: v / 1000, label: `app ${label} (Deployment "${app.name}")`, urn: app.urn });
        const tgps = ifKnown(() => num(app.props.spec?.template?.spec?.terminationGracePeriodSeconds) ?? 30);
        return {
          keepAlive: link(ms(config.keepAliveEnv), String(config.keepAliveEnv)),
          headers: link(ms(config.headersTimeoutEnv), String(config.headersTimeoutEnv)),
          shutdown: link(ms(config.shutdownDelayEnv), String(config.shutdownDelayEnv)),
          shutdownTimeout: link(ms(config.shutdownTimeoutEnv), String(config.shutdownTimeoutEnv)),
          grace: tgps === undefined ? undefined : { value: tgps, label: `terminationGracePeriodSeconds (Deployment "${app.name}")`, urn: app.urn },
          redis: link(ms("REDIS_COMMAND_TIMEOUT_MS") ?? APP_ENV.REDIS_COMMAND_TIMEOUT_MS.default, "REDIS_COMMAND_TIMEOUT_MS"),
          heartbeat: link(ms("WS_HEARTBEAT_MS") ?? APP_ENV.WS_HEARTBEAT_MS.default, "WS_HEARTBEAT_MS (WebSocket ping interval)"),
        };
      });
      const deregistration: Link[] = [];
      for (const tg of ofType(resources, TYPES.targetGroup)) {
        const value = ifKnown(() => num(tg.props.deregistrationDelay) ?? 300);
        if (value !== undefined) deregistration.push({ value, label: `deregistration delay (target group "${tg.name}")`, urn: tg.urn });
      }

      check(maxBy(cloudfront), minBy(albs), true);
      // A response CloudFront still waits for must not outlive the ALB's idle timeout (the ALB would cut it first).
      check(maxBy(cloudfrontRead), minBy(albs), true);
      check(maxBy(albs), nginxClient, true);
      for (const a of appLinks) {
        check(nginxUpstream, a.keepAlive, true);
        check(a.keepAlive, a.headers, true);
        check(maxBy(deregistration), a.shutdown, false);
        check(a.shutdown, a.grace, true);
        check(a.shutdownTimeout, a.grace, true);
        // The app refuses to start otherwise (its hard stop must leave room for the delay).
        check(a.shutdown, a.shutdownTimeout, true);
        // The app bounds every Redis call (then answers by its fail mode): nginx must wait longer than that bound on
        // every phase, or a slow Redis becomes nginx's 504s (and retries onto other pods) instead of the app's answer.
        if (nginxReadShortest) check(a.redis, nginxReadShortest, true);
        // nginx closes a WebSocket whose app side stays silent for its read timeout: the app's pings must come sooner.
        if (nginxWsRead) check(a.heartbeat, nginxWsRead, true);
      }
      // The app drains by failing readiness (503 on its readiness route from SIGTERM on) for its shutdown delay: the
      // probe must be one that sees that answer (HTTP; a TCP, gRPC or exec probe still passes while it drains), and
      // the kubelet must notice within the delay (period × failureThreshold + timeout), or it still gets traffic when it stops.
      for (const app of apps) {
        const containers = ifKnown(() => JSON.parse(JSON.stringify(app.props.spec?.template?.spec?.containers ?? [])) as { name?: string; env?: { name?: string; value?: unknown }[]; readinessProbe?: Record<string, unknown> }[]) ?? [];
        for (const c of containers) {
          const delay = num(list(c.env).find((e) => e?.name === String(config.shutdownDelayEnv))?.value);
          if (delay === undefined) continue;
          const probe = c.readinessProbe as { httpGet?: unknown; periodSeconds?: unknown; failureThreshold?: unknown; timeoutSeconds?: unknown } | undefined;
          const where = `Deployment "${app.name}" container "${c.name}"`;
          if (!probe?.httpGet) {
            report(`${where} drains for ${fmt(delay / 1000)} (${String(config.shutdownDelayEnv)}) by answering 503 on its readiness route, but its readiness probe ${probe ? "is not an HTTP probe" : "is missing"}: the pod stays ready while it drains.`, app.urn);
            continue;
          }
          // Only the readiness route (and the deep health route) turn 503 on SIGTERM: a probe of any other path
          // (liveness, metrics, an API route) keeps passing while the pod drains.
          const drainPaths: string[] = [APP_ROUTES.readiness.path, APP_ROUTES.health.path];
          const probePath = String((probe.httpGet as { path?: unknown }).path ?? "/").split("?")[0];
          if (!drainPaths.includes(probePath)) {
            report(`${where} drains for ${fmt(delay / 1000)} (${String(config.shutdownDelayEnv)}) by answering 503 on ${APP_ROUTES.readiness.path}, but its readiness probe asks ${probePath}, which keeps answering while it drains: the pod stays ready.`, app.urn);
            continue;
          }
          const notice = (num(probe.periodSeconds) ?? 10) * (num(probe.failureThreshold) ?? 3) + (num(probe.timeoutSeconds) ?? 1);
          check({ value: notice, label: `readiness probe's time to notice the drain (period × failureThreshold + timeout, ${where})`, urn: app.urn }, { value: delay / 1000, label: `app ${String(config.shutdownDelayEnv)} (${where})`, urn: app.urn }, false);
        }
      }
      // nginx waiting longer for the app than the ALB keeps a silent client connection: the ALB cuts it first (a 504 from the ALB while the app still works).
      check(nginxRead, minBy(albs), false);
      const drainNeeds: Link[] = [];
      // Every Deployment: its preStop pause plus its own drain (nginx's worker_shutdown_timeout when it runs the
      // stack's nginx.conf) ends before the kubelet's SIGKILL.
      for (const d of deployments) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(d.props.spec?.template?.spec ?? {})) as { terminationGracePeriodSeconds?: unknown; containers?: Record<string, unknown>[]; volumes?: { configMap?: { name?: string } }[] });
        if (!spec) continue;
        const grace = num(spec.terminationGracePeriodSeconds) ?? 30;
        const mountsNginx = (spec.volumes ?? []).some((v) => typeof v?.configMap?.name === "string") && nginxDrain !== undefined;
        for (const c of spec.containers ?? []) {
          const pre = preStopSeconds(c.lifecycle);
          const runsNginx = mountsNginx && JSON.stringify([c.command, c.args, c.image]).includes("nginx");
          const drain = runsNginx ? (nginxDrain ?? 0) : 0;
          const env = new Map(((c.env as { name?: string; value?: unknown }[] | undefined) ?? []).map((e) => [String(e?.name), num(e?.value)]));
          const own = Math.max((env.get(String(config.shutdownDelayEnv)) ?? 0) / 1000, (env.get(String(config.shutdownTimeoutEnv)) ?? 0) / 1000);
          const total = pre + Math.max(drain, own);
          if (total > 0) drainNeeds.push({ value: total, label: `drain time of Deployment "${d.name}" container "${c.name}" (preStop + shutdown)`, urn: d.urn });
          if (total >= grace && total > 0) {
            const message = `Deployment "${d.name}" container "${c.name}" needs ${fmt(total)} to drain (preStop ${fmt(pre)}${drain ? ` + nginx worker_shutdown_timeout ${fmt(drain)}` : own ? ` + shutdown ${fmt(own)}` : ""}) but terminationGracePeriodSeconds is ${fmt(grace)}: in-flight requests are killed.`;
            report(message, d.urn);
            // nginx's own drain is part of the sum: whoever changed nginx.conf must see it too.
            if (drain > 0 && pre < grace && nginxDrainUrn) report(message, nginxDrainUrn);
          }
        }
      }
      // The Cluster Autoscaler's drain gives each pod at most --max-graceful-termination-sec (it caps the pod's
      // grace period): below what a pod needs to drain (its pause plus its own drain) it kills requests mid-answer.
      for (const d of deployments) {
        const containers = ifKnown(() => JSON.parse(JSON.stringify(d.props.spec?.template?.spec?.containers ?? [])) as { image?: string; command?: unknown[]; args?: unknown[] }[]);
        for (const c of containers ?? []) {
          const argv = [...list(c.command), ...list(c.args)].map(String);
          if (!/cluster-autoscaler/.test(String(c.image)) && !argv.some((a) => /cluster-autoscaler$/.test(a))) continue;
          // Any spelling the autoscaler's flag parser takes (=value or a separate word, one or two dashes); unparsable is its default.
          const flag = num(flagValue(argv, "max-graceful-termination-sec"));
          const drain: Link = { value: flag ?? 600, label: `Cluster Autoscaler --max-graceful-termination-sec (Deployment "${d.name}")`, urn: d.urn };
          check(maxBy(drainNeeds), drain, false);
        }
      }
    },
  }),
  stackRule({
    name: "k8s-stop-outlasts-senders",
    description:
      "A pod keeps serving after SIGTERM until nothing sends to it any more: for every Service port that reaches a container of a Deployment, that container's preStop pause (or, for the app, its shutdown delay, during which it keeps serving) is at least endpointPropagationSeconds (kube-proxy and DNS dropping the pod from the endpoints); behind a NodePort Service with externalTrafficPolicy Local that a target group uses, at least that plus the target group's detection time ((unhealthyThreshold − 1) × interval + timeout). Otherwise connections that arrive after the listeners closed are reset. The upper bound (pause + drain < grace period) is edge-timeout-chain's.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.targetGroup, ...TYPES.service, ...TYPES.deployment],
    config: {
      endpointPropagationSeconds: { type: "number", minimum: 0, default: 5, description: "Seconds until kube-proxy on every node (and the cluster DNS) stops sending to a terminating pod." },
      shutdownDelayEnv: { type: "string", default: "SHUTDOWN_DELAY_MS", description: "App env var holding how long (ms) it keeps serving after SIGTERM." },
    },
    validate: (resources, { config }, report) => {
      const propagation = Number(config.endpointPropagationSeconds);
      const groups = ofType(resources, TYPES.targetGroup);
      type Spec = { externalTrafficPolicy?: string; type?: string; selector?: Record<string, string>; ports?: { name?: string; port?: unknown; targetPort?: unknown; nodePort?: unknown }[] };
      type Pod = { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { name?: string; lifecycle?: unknown; env?: { name?: string; value?: unknown }[]; ports?: { name?: string; containerPort?: unknown }[] }[] } };
      for (const svc of ofType(resources, TYPES.service)) {
        const spec = ifKnown(() => JSON.parse(JSON.stringify(svc.props.spec ?? {})) as Spec);
        const selector = spec?.selector ?? {};
        if (!spec || Object.keys(selector).length === 0) continue;
        for (const d of ofType(resources, TYPES.deployment)) {
          const pod = ifKnown(() => JSON.parse(JSON.stringify(d.props.spec?.template ?? {})) as Pod);
          if (!pod || !Object.entries(selector).every(([k, v]) => pod.metadata?.labels?.[k] === v)) continue;
          for (const sp of list(spec.ports)) {
            const target = sp?.targetPort ?? sp?.port;
            const c = list(pod.spec?.containers).find((x) => list(x?.ports).some((p) => (typeof target === "string" && !/^\d+$/.test(target) ? p?.name === target : num(p?.containerPort) === num(target))));
            if (!c) continue;
            const delayMs = num(list(c.env).find((e) => e?.name === config.shutdownDelayEnv)?.value);
            const pause = Math.max(preStopSeconds(c.lifecycle), (delayMs ?? 0) / 1000);
            // With "Local", the load balancers stop sending only once the node fails their health checks.
            const local = spec.externalTrafficPolicy === "Local" && (spec.type === "NodePort" || spec.type === "LoadBalancer");
            const group = local ? groups.find((tg) => num(ifKnown(() => tg.props.port)) === num(sp?.nodePort)) : undefined;
            if (group && unknownAt(() => JSON.stringify(group.props.healthCheck ?? {}))) continue; // known after deployment
            const hc = group ? ifKnown(() => group.props.healthCheck as { unhealthyThreshold?: unknown; interval?: unknown; timeout?: unknown } | undefined) : undefined;
            const detection = group ? ((num(hc?.unhealthyThreshold) ?? 3) - 1) * (num(hc?.interval) ?? 30) + (num(hc?.timeout) ?? 5) : 0;
            const needed = propagation + detection;
            if (pause < needed) {
              const why = group ? `kube-proxy drops it after ${fmt(propagation)}, and with externalTrafficPolicy Local target group "${group.name}" keeps sending to its node for another ${fmt(detection)}` : `kube-proxy and DNS keep sending to it for ${fmt(propagation)}`;
              report(`Container "${c.name}" of Deployment "${d.name}" stops accepting ${fmt(pause)} after SIGTERM (preStop pause or shutdown delay), but Service "${svc.name}" port ${sp?.name ?? sp?.port}: ${why}; connections arriving after its listeners close are reset.`, d.urn);
              report(`Service "${svc.name}" port ${sp?.name ?? sp?.port} keeps sending to "${d.name}" for ${fmt(needed)} after a pod stops, longer than container "${c.name}" keeps accepting (${fmt(pause)}).`, svc.urn);
            }
          }
        }
      }
    },
  }),
];
