import { setTimeout as sleep } from "node:timers/promises";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stopOnExit, terminate } from "./children";
import { freePort } from "./ports";

/**
 * A private DNS server for the local data plane: Debian's dnsmasq on a loopback UDP/TCP port,
 * answering only from hosts files in its own directory (no upstream servers, no /etc/hosts, no
 * cache), so what `publish` writes is what the next query sees. It plays the cluster DNS answering
 * for a headless Service: one A record per ready replica.
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
  /**
   * Makes the SRV name (`_http._tcp.<service name>`) answer exactly these records (none: no SRV
   * records). The targets' addresses come from `publish`. dnsmasq reads SRV records only from its
   * command line, so this restarts it on the same port (a DNS client's retry covers the gap).
   */
  publishSrv(name: string, records: readonly SrvRecord[]): Promise<void>;
  /** The addresses last published for `name`. */
  published(name: string): readonly string[];
  /** Starts dnsmasq again on the same port with the same records (after it died, or to replace it). */
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

export async function startDnsmasq(options: { dir: string; startTimeoutMs?: number }): Promise<DnsServer> {
  const dir = path.resolve(options.dir);
  const hostsDir = path.join(dir, "hosts.d");
  mkdirSync(hostsDir, { recursive: true });
  // dnsmasq drops to `nobody` when started as root: it must read the directory.
  chmodSync(dir, 0o755);
  chmodSync(hostsDir, 0o755);
  const logFile = path.join(dir, "dnsmasq.log");
  const port = await freePort();
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;

  const srvRecords = new Map<string, readonly SrvRecord[]>();
  /** Spawns dnsmasq on `port` and resolves once it logged its start (it binds first). */
  const launch = async (): Promise<{ child: ChildProcess; exited: DnsServer["exited"] }> => {
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
          `--hostsdir=${hostsDir}`,
          // Answers come from the hosts files each time: no cache, no negative cache, TTL 0.
          "--cache-size=0",
          "--no-negcache",
          "--local-ttl=0",
          "--pid-file=",
          `--log-facility=${logFile}`,
          ...[...srvRecords].flatMap(([name, records]) => srvHostArgs(name, records)),
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
    const running = () => child.exitCode === null && child.signalCode === null;
    const deadline = Date.now() + startTimeoutMs;
    await Promise.race([
      failed,
      (async () => {
        while (!/started, version/.test(readFileSync(logFile, "utf8").slice(logStart))) {
          if (Date.now() > deadline) throw new Error(`dnsmasq did not start within ${startTimeoutMs} ms:\n${readFileSync(logFile, "utf8").slice(logStart)}`);
          if (!running()) return;
          await sleep(20);
        }
      })(),
    ]).catch((err: unknown) => {
      if (running()) child.kill("SIGKILL");
      throw err;
    });
    return { child, exited };
  };

  let current = await launch();
  const isRunning = () => current.child.exitCode === null && current.child.signalCode === null;
  const records = new Map<string, readonly string[]>();
  let stopped = false;
  return {
    address: `127.0.0.1:${port}`,
    port,
    get pid() {
      return isRunning() ? current.child.pid : undefined;
    },
    get running() {
      return isRunning();
    },
    get exited() {
      return current.exited;
    },
    publish(name, addresses) {
      records.set(name, [...addresses]);
      // Written next to the directory and renamed in: dnsmasq never reads half a file.
      const tmp = path.join(dir, `.${fileFor(name)}.tmp`);
      writeFileSync(tmp, hostsFile(name, addresses), { mode: 0o644 });
      renameSync(tmp, path.join(hostsDir, fileFor(name)));
    },
    async publishSrv(name, srv) {
      srvRecords.set(name, [...srv]);
      // Stopped on purpose: the records are kept for a restart, nothing is started.
      if (stopped) return;
      if (isRunning()) await terminate(current.child, current.exited);
      current = await launch();
      // stop() came while it started: it stopped the previous process, so stop this one.
      if (stopped) await terminate(current.child, current.exited);
    },
    published: (name) => records.get(name) ?? [],
    async restart() {
      stopped = false;
      if (isRunning()) await terminate(current.child, current.exited);
      // Same port and hosts files: nginx's resolver address stays valid and the records are as published.
      current = await launch();
    },
    async stop() {
      stopped = true;
      if (!isRunning()) return;
      await terminate(current.child, current.exited);
    },
  };
}
