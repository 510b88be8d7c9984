import type { ChildProcess } from "node:child_process";

/**
 * Children still alive when this process exits get `signal`, so no server a test, benchmark or the
 * local data plane started outlives it (a crashed test included). Each child is tracked until it exits.
 */
const live = new Map<ChildProcess, NodeJS.Signals>();
let hookInstalled = false;

export function stopOnExit(child: ChildProcess, signal: NodeJS.Signals): void {
  live.set(child, signal);
  child.once("exit", () => live.delete(child));
  if (!hookInstalled) {
    hookInstalled = true;
    process.once("exit", () => {
      for (const [c, s] of live) c.kill(s);
    });
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once `exited` (the child's exit) settles. */
export async function terminate(child: ChildProcess, exited: Promise<unknown>, graceMs = 5000): Promise<void> {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
