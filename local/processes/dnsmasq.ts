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
  /** Resolves when dnsmasq exits, whoever ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Makes `name` answer exactly these IPv4 addresses (none: the name stops existing). */
  publish(name: string, addresses: readonly string[]): void;
  /** The addresses last published for `name`. */
  published(name: string): readonly string[];
  stop(): Promise<void>;
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
    void exited.then((e) => reject(new Error(`dnsmasq exited during start (code ${e.code}, signal ${e.signal}):\n${readFileSync(logFile, "utf8").slice(-2000)}`)));
  });
  failed.catch(() => undefined);
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  // Ready when it logs that it started (it binds first).
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  await Promise.race([
    failed,
    (async () => {
      while (!/started, version/.test(readFileSync(logFile, "utf8"))) {
        if (Date.now() > deadline) throw new Error(`dnsmasq did not start within ${options.startTimeoutMs ?? 10_000} ms:\n${readFileSync(logFile, "utf8")}`);
        if (!isRunning()) return;
        await sleep(20);
      }
    })(),
  ]).catch((err: unknown) => {
    if (isRunning()) child.kill("SIGKILL");
    throw err;
  });

  const records = new Map<string, readonly string[]>();
  return {
    address: `127.0.0.1:${port}`,
    port,
    get pid() {
      return isRunning() ? child.pid : undefined;
    },
    get running() {
      return isRunning();
    },
    exited,
    publish(name, addresses) {
      records.set(name, [...addresses]);
      // Written next to the directory and renamed in: dnsmasq never reads half a file.
      const tmp = path.join(dir, `.${fileFor(name)}.tmp`);
      writeFileSync(tmp, hostsFile(name, addresses), { mode: 0o644 });
      renameSync(tmp, path.join(hostsDir, fileFor(name)));
    },
    published: (name) => records.get(name) ?? [],
    async stop() {
      if (!isRunning()) return;
      await terminate(child, exited);
    },
  };
}
