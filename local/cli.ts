/**
 * `npm run local -- [--stack dev] [--port 8080] [--replicas 3] [--nlb] [--clean]`: the local data
 * plane in the foreground. Builds the app, starts redis-server, dnsmasq, the replicas, the readiness
 * loop, nginx (and haproxy with --nlb), prints the URLs, reports a server that dies, and on
 * SIGINT/SIGTERM stops exactly the processes it started, then exits 0. The npm script execs node
 * with the tsx loader, so npm's signal reaches this process and nothing sits in between.
 */
import { ConfigError } from "../infra/config/schema";
import { LOCAL_USAGE, parseLocalArgs, UsageError } from "./args";
import { PortInUseError, startDataPlane, type DataPlane } from "./dataplane";
import { MissingPrerequisiteError } from "./prerequisites";

const say = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`local: ${line}\n`);

function banner(plane: DataPlane): string {
  const c = plane.config;
  const rows: [string, string][] = [
    ["site", plane.urls.site],
    ["health", plane.urls.health],
    ["api", plane.urls.hello],
    ["websocket", plane.urls.ws],
    ["nginx status", plane.urls.nginxStatus],
    ...(plane.urls.nlbTls !== undefined ? ([["nlb tls", `${plane.urls.nlbTls} (CA ${plane.nlb!.caFile})`]] as [string, string][]) : []),
    ...(plane.urls.nlbHttp !== undefined ? ([["nlb http", plane.urls.nlbHttp]] as [string, string][]) : []),
    ...(plane.observability !== undefined
      ? ([
          ["prometheus", `${plane.observability.prometheusUrl}/graph (alerts: ${plane.observability.prometheusUrl}/alerts)`],
          ["alertmanager", plane.observability.alertmanagerUrl],
          ["nginx exporter", plane.observability.exporterUrl],
        ] as [string, string][])
      : []),
    ["dns", `${plane.dns.address} (ready replicas: ${plane.readyAddresses().join(", ")})`],
    ["logs", plane.dir],
  ];
  return [
    `edgestack local data plane (stack ${plane.stack}): nginx -> ${plane.replicas.length} app replica(s) via DNS -> redis-server`,
    ...rows.map(([k, v]) => `  ${k.padEnd(13)}${v}`),
    `  balancing ${c.nginxLoadBalancing}; nginx limit ${c.nginxRateLimitPerMinute} r/m (burst ${c.nginxRateLimitBurst}); app limit ${c.rateLimitMax} per ${c.rateLimitWindowMs} ms, fail ${c.rateLimitFailMode}`,
    // One machine-readable line: what Ctrl-C will stop (tests check these are gone afterwards).
    `pids ${plane.pids().join(" ")}`,
    "ready; Ctrl-C stops everything",
  ].join("\n");
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseLocalArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`local: ${err.message}\n\n${LOCAL_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    say(LOCAL_USAGE);
    return 0;
  }

  let plane: DataPlane | undefined;
  let stopping: Promise<number> | undefined;
  let signalled: NodeJS.Signals | undefined;
  const stop = (): Promise<number> => {
    stopping ??= (async () => {
      progress(`${signalled ?? "stop"}: stopping nginx, the replicas, redis-server and dnsmasq…`);
      await plane?.stop();
      progress(args.clean ? "stopped; logs removed (--clean)" : `stopped; logs kept in ${plane?.dir}`);
      return 0;
    })();
    return stopping;
  };
  let release: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (release = resolve));
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      signalled ??= sig;
      // During start-up the stop happens as soon as startDataPlane returns (or fails and cleans up).
      if (plane !== undefined) void stop().then(release);
    });
  }

  try {
    plane = await startDataPlane({
      stack: args.stack,
      port: args.port,
      replicas: args.replicas,
      proxyProtocol: args.nlb,
      observe: args.observe,
      keepLogs: !args.clean,
      build: "always",
      log: progress,
      onProblem: (message) => progress(`problem: ${message}`),
      // The plane stopped itself: say why and exit non-zero.
      onFatal: (message) => {
        progress(`fatal: ${message}`);
        progress(args.clean ? "stopped; logs removed (--clean)" : `stopped; logs kept in ${plane?.dir}`);
        release(1);
      },
      onEndpointChange: (c) => progress(`${c.id} ${c.ready ? "is ready: in DNS" : `left DNS (${c.reason === "probe" ? "readiness probe failed" : c.reason})`}`),
    });
  } catch (err) {
    if (err instanceof MissingPrerequisiteError || err instanceof PortInUseError || err instanceof ConfigError) {
      process.stderr.write(`local: ${err.message}\n\n${LOCAL_USAGE}\n`);
      return 1;
    }
    // Every start-up error carries its cause in the message (a process's log tail, nginx -t output…).
    process.stderr.write(`local: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (signalled !== undefined) return stop();

  say(banner(plane));
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`local: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
