import { readFileSync } from "node:fs";

/** TCP states as /proc/net/tcp spells them (hex, include/net/tcp_states.h). */
export const TCP_STATE = { established: "01", timeWait: "06" } as const;

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** Two hex digits, e.g. TCP_STATE.timeWait. */
  state: string;
}

/** Every IPv4 and IPv6 TCP socket of this network namespace (Linux /proc/net/tcp and tcp6). */
export function tcpSockets(): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, remote, state] = line.trim().split(/\s+/);
      if (local === undefined || remote === undefined || state === undefined) continue;
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(":") + 1), 16);
      sockets.push({ localPort: port(local), remotePort: port(remote), state });
    }
  }
  return sockets;
}

/** Sockets in TIME_WAIT with either end on one of `ports`: whoever closes first holds one for a minute. */
export function timeWaitOn(ports: readonly number[]): number {
  const wanted = new Set(ports);
  return tcpSockets().filter((s) => s.state === TCP_STATE.timeWait && (wanted.has(s.localPort) || wanted.has(s.remotePort))).length;
}
