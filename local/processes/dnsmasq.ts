import { setTimeout as sleep } from "node:timers/promises";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stopOnExit, terminate } from "./children";
import { freePorts } from "./ports";

/**
 * A private DNS server for the local data plane: Debian's dnsmasq on a loopback UDP/TCP port,
 * answering only from hosts files in its own directory (no upstream servers, no /etc/hosts, no
 * cache), so what `publish` writes is what the next query sees. It plays the cluster DNS answering
 * for a headless Service: one A record per ready replica, and SRV records per ready replica.
 *
 * dnsmasq reads A records from `--hostsdir` whenever a file there changes, but SRV records only from
 * its command line (`--srv-host`; SIGHUP re-reads hosts files and `--servers-file`, never the options,
 * and DBus is not available here). So the SRV records live in two more dnsmasq processes started with
 * them, and the one nginx queries forwards each SRV name to both (`--servers-file`, `--all-servers`:
 * the first answer wins). A change restarts them one after the other with the new records: one always
 * answers, and the server at `address` never restarts. (Re-pointing the main server at a new SRV
 * server by SIGHUP instead would drop the queries it has in flight to the old one: dnsmasq forgets
 * them with the server.)
 */
export interface DnsServer {
  /** "127.0.0.1:PORT", nginx's `resolver` address. */
  readonly address: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Resolves when the current dnsmasq process exits, whoever ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Makes `name` answer exactly these IPv4 addresses (none: the name stops existing). */
  publish(name: string, addresses: readonly string[]): void;
  /** The running SRV servers' pids (the servers the main one forwards SRV names to). */
  srvPids(): number[];
  /**
   * Makes the SRV name (`_http._tcp.<service name>`) answer exactly these records (none: no SRV
   * records). The targets' addresses come from `publish`. The server at `address` keeps running:
   * resolves once it answers the new records.
   */
  publishSrv(name: string, records: readonly SrvRecord[]): Promise<void>;
  /** The addresses last published for `name`. */
  published(name: string): readonly string[];
  /** Starts whichever dnsmasq is not running again (the main one on the same port), with the same records. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** One SRV record (RFC 2782): a target host name and port, lower priority first, weight within a priority. */
export interface SrvRecord {
  target: string;
  port: number;
  priority?: number;
  weight?: number;
}

/** dnsmasq's `--srv-host` arguments for SRV records (pure). */
export function srvHostArgs(name: string, records: readonly SrvRecord[]): string[] {
  return records.map((r) => `--srv-host=${name},${r.target},${r.port},${r.priority ?? 0},${r.weight ?? 1}`);
}

export function dnsmasqBinary(): string {
  for (const candidate of ["/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq", "/usr/bin/dnsmasq"]) if (existsSync(candidate)) return candidate;
  return "dnsmasq";
}

/** A hosts file for one name (pure): one `address name` line per address. */
export function hostsFile(name: string, addresses: readonly string[]): string {
  return addresses.map((a) => `${a} ${name}\n`).join("");
}

const fileFor = (name: string) => `${name.replace(/[^A-Za-z0-9.-]/g, "_")}.hosts`;

/** The `--servers-file` forwarding each SRV name to every SRV server (pure). */
export function srvServersFile(names: readonly string[], ports: readonly number[]): string {
  return names.flatMap((name) => ports.map((port) => `server=/${name}/127.0.0.1#${port}\n`)).join("");
}

/** SRV servers behind the main one: two, so one answers while the other restarts with new records. */
const SRV_SERVERS = 2;

interface Instance {
  child: ChildProcess;
  exited: DnsServer["exited"];
  port: number;
}

const isRunning = (i: Instance | undefined): i is Instance => i !== undefined && i.child.exitCode === null && i.child.signalCode === null;

/** Spawns dnsmasq on loopback `port` with `args` and resolves once it logged its start (it binds first). */
async function launchDnsmasq(p: { port: number; logFile: string; args: string[]; startTimeoutMs: number }): Promise<Instance> {
  const { port, logFile, startTimeoutMs } = p;
  const logStart = existsSync(logFile) ? readFileSync(logFile, "utf8").length : 0;
  const out = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(
      dnsmasqBinary(),
      [
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        `--port=${port}`,
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--no-poll",
        // Answers come from the hosts files and records each time: no cache, no negative cache, TTL 0.
        "--cache-size=0",
        "--no-negcache",
        "--local-ttl=0",
        "--pid-file=",
        `--log-facility=${logFile}`,
        ...p.args,
      ],
      // Its own process group: a terminal's Ctrl-C reaches only the orchestrator.
      { stdio: ["ignore", out, out], detached: true },
    );
  } finally {
    closeSync(out);
  }
  stopOnExit(child, "SIGTERM");
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const failed = new Promise<never>((_, reject) => {
    child.once("error", reject);
    void exited.then((e) => reject(new Error(`dnsmasq exited during start (code ${e.code}, signal ${e.signal}):\n${readFileSync(logFile, "utf8").slice(logStart).slice(-2000)}`)));
  });
  failed.catch(() => undefined);
  const instance = { child, exited, port };
  const deadline = Date.now() + startTimeoutMs;
  await Promise.race([
    failed,
    (async () => {
      while (!/started, version/.test(readFileSync(logFile, "utf8").slice(logStart))) {
        if (Date.now() > deadline) throw new Error(`dnsmasq did not start within ${startTimeoutMs} ms:\n${readFileSync(logFile, "utf8").slice(logStart)}`);
        if (!isRunning(instance)) return;
        await sleep(20);
      }
    })(),
  ]).catch((err: unknown) => {
    if (isRunning(instance)) child.kill("SIGKILL");
    throw err;
  });
  return instance;
}

export async function startDnsmasq(options: { dir: string; startTimeoutMs?: number }): Promise<DnsServer> {
  const dir = path.resolve(options.dir);
  const hostsDir = path.join(dir, "hosts.d");
  mkdirSync(hostsDir, { recursive: true });
  // dnsmasq drops to `nobody` when started as root: it must read the directory and the servers file.
  chmodSync(dir, 0o755);
  chmodSync(hostsDir, 0o755);
  const logFile = path.join(dir, "dnsmasq.log");
  const serversFile = path.join(dir, "srv-servers.conf");
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const [port, ...srvPorts] = (await freePorts(1 + SRV_SERVERS)) as [number, ...number[]];

  const srvRecords = new Map<string, readonly SrvRecord[]>();
  const launchSrv = (slot: number) =>
    launchDnsmasq({ port: srvPorts[slot]!, logFile: path.join(dir, `dnsmasq-srv-${slot}.log`), startTimeoutMs, args: [...srvRecords].flatMap(([name, r]) => srvHostArgs(name, r)) });
  writeFileSync(serversFile, "", { mode: 0o644 });
  const srv: Instance[] = [];
  for (let slot = 0; slot < SRV_SERVERS; slot++) srv.push(await launchSrv(slot));
  // --all-servers: each forwarded query goes to every SRV server and the first answer wins, so while
  // one restarts with new records the other answers.
  const launchMain = () => launchDnsmasq({ port, logFile, startTimeoutMs, args: [`--hostsdir=${hostsDir}`, `--servers-file=${serversFile}`, "--all-servers"] });
  let main = await launchMain();
  const records = new Map<string, readonly string[]>();
  let stopped = false;
  /** publishSrv and restart, one after another. */
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(step: () => Promise<T>): Promise<T> => {
    const next = queue.then(step);
    queue = next.catch(() => undefined);
    return next;
  };

  /**
   * A new SRV name: the servers file forwards it to every SRV server and the main server re-reads it
   * (SIGHUP; the names it already forwards keep their servers, and their queries in flight).
   */
  const forwardName = async (): Promise<void> => {
    const tmp = `${serversFile}.tmp`;
    writeFileSync(tmp, srvServersFile([...srvRecords.keys()], srvPorts), { mode: 0o644 });
    renameSync(tmp, serversFile);
    if (!isRunning(main)) return;
    const logFrom = readFileSync(logFile, "utf8").length;
    main.child.kill("SIGHUP");
    // dnsmasq logs "using nameserver 127.0.0.1#PORT for domain NAME" once it has re-read the file.
    const deadline = Date.now() + startTimeoutMs;
    const names = [...srvRecords.keys()];
    const forwards = () => {
      const log = readFileSync(logFile, "utf8").slice(logFrom);
      return names.every((n) => srvPorts.every((p) => log.includes(`using nameserver 127.0.0.1#${p} for domain ${n}`)));
    };
    while (!forwards() && isRunning(main)) {
      if (Date.now() > deadline) throw new Error(`dnsmasq on ${port} did not forward the SRV names to 127.0.0.1#${srvPorts.join(",")} within ${startTimeoutMs} ms of SIGHUP; log: ${logFile}`);
      await sleep(5);
    }
  };

  /** Restarts SRV server `slot` on its port with the current records (the other one answers meanwhile). */
  const relaunchSrv = async (slot: number): Promise<void> => {
    const old = srv[slot]!;
    if (isRunning(old)) await terminate(old.child, old.exited);
    if (stopped) return;
    srv[slot] = await launchSrv(slot);
  };

  return {
    address: `127.0.0.1:${port}`,
    port,
    get pid() {
      return isRunning(main) ? main.child.pid : undefined;
    },
    srvPids: () => srv.filter(isRunning).map((i) => i.child.pid!),
    get running() {
      return isRunning(main) && srv.every(isRunning);
    },
    get exited() {
      return main.exited;
    },
    publish(name, addresses) {
      records.set(name, [...addresses]);
      // Written next to the directory and renamed in: dnsmasq never reads half a file.
      const tmp = path.join(dir, `.${fileFor(name)}.tmp`);
      writeFileSync(tmp, hostsFile(name, addresses), { mode: 0o644 });
      renameSync(tmp, path.join(hostsDir, fileFor(name)));
    },
    publishSrv(name, list) {
      return serially(async () => {
        const known = srvRecords.has(name);
        srvRecords.set(name, [...list]);
        // Stopped on purpose: the records are kept for a restart, nothing is started.
        if (stopped) return;
        for (let slot = 0; slot < SRV_SERVERS; slot++) await relaunchSrv(slot);
        if (!known) await forwardName();
      });
    },
    published: (name) => records.get(name) ?? [],
    restart() {
      return serially(async () => {
        stopped = false;
        for (let slot = 0; slot < SRV_SERVERS; slot++) if (!isRunning(srv[slot])) await relaunchSrv(slot);
        // Same port, hosts files and servers file: nginx's resolver address stays valid, the records as published.
        if (!isRunning(main)) main = await launchMain();
      });
    },
    async stop() {
      stopped = true;
      await Promise.all([main, ...srv].filter(isRunning).map((i) => terminate(i.child, i.exited)));
    },
  };
}
