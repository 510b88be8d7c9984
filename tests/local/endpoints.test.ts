import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { loadLocalStackConfig } from "../../local/stack";
import { EndpointController, INITIAL_PROBE_STATE, nextProbeState, readinessProbeFromDeployment, type ProbeState } from "../../local/endpoints";
import { appDeploymentSpec } from "../../infra/workloads/app";
import { setTimeout as sleep } from "node:timers/promises";
import { waitUntil } from "../harness/wait";

describe("nextProbeState (kubelet's thresholds)", () => {
  const probe = { failureThreshold: 2, successThreshold: 1 };
  const run = (results: boolean[], p = probe): ProbeState => results.reduce((s, r) => nextProbeState(s, r, p), INITIAL_PROBE_STATE);

  test("a new container is not ready until a probe passes", () => {
    expect(INITIAL_PROBE_STATE.ready).toBe(false);
    expect(run([false, false, false]).ready).toBe(false);
    expect(run([true]).ready).toBe(true);
  });

  test("ready goes false only after failureThreshold failures in a row", () => {
    expect(run([true, false]).ready).toBe(true);
    expect(run([true, false, true, false]).ready).toBe(true);
    expect(run([true, false, false]).ready).toBe(false);
  });

  test("successThreshold successes in a row make it ready again", () => {
    const p = { failureThreshold: 1, successThreshold: 2 };
    expect(run([true, true, false, true], p).ready).toBe(false);
    expect(run([true, true, false, true, true], p).ready).toBe(true);
  });
});

test("the probe is the Deployment's readiness probe (path and timing)", () => {
  const config = loadLocalStackConfig("dev");
  const container = (appDeploymentSpec(config, "x", []) as unknown as { template: { spec: { containers: { readinessProbe: Record<string, unknown> & { httpGet: { path: string } } }[] } } })
    .template.spec.containers[0]!;
  const probe = readinessProbeFromDeployment(config);
  expect(probe).toEqual({
    path: container.readinessProbe.httpGet.path,
    periodSeconds: container.readinessProbe.periodSeconds,
    timeoutSeconds: container.readinessProbe.timeoutSeconds,
    failureThreshold: container.readinessProbe.failureThreshold,
    successThreshold: container.readinessProbe.successThreshold,
  });
  expect(probe.path).toBe("/readyz");
});

describe("EndpointController against real HTTP servers", () => {
  const servers: http.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  const backend = async (host: string, answer: () => number): Promise<number> => {
    const s = http.createServer((_q, res) => {
      res.writeHead(answer());
      res.end();
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, host, () => r()));
    return (s.address() as AddressInfo).port;
  };

  test("publishes exactly the ready, non-terminating endpoints, and follows probe results", async () => {
    let bStatus = 503;
    const a = await backend("127.0.0.21", () => 200);
    const b = await backend("127.0.0.22", () => bStatus);
    const published: string[][] = [];
    const probe = { path: "/readyz", periodSeconds: 0.1, timeoutSeconds: 0.5, failureThreshold: 2, successThreshold: 1 };
    const c = new EndpointController(probe, (addrs) => published.push([...addrs].sort()));
    try {
      c.add({ id: "a", address: "127.0.0.21", port: a });
      c.add({ id: "b", address: "127.0.0.22", port: b });
      // Probe results arrive within a few periods; on a loaded machine later, so wait for each, then check all of it.
      await waitUntil(() => c.readyAddresses().includes("127.0.0.21"));
      await sleep(300);
      // b answered 503 to every probe meanwhile: never published.
      expect(c.readyAddresses()).toEqual(["127.0.0.21"]);
      bStatus = 200;
      await waitUntil(() => c.readyAddresses().length === 2);
      expect(c.readyAddresses().sort()).toEqual(["127.0.0.21", "127.0.0.22"]);
      bStatus = 503;
      await waitUntil(() => !c.readyAddresses().includes("127.0.0.22"));
      expect(c.readyAddresses()).toEqual(["127.0.0.21"]);
      // Terminating: out at once, whatever its probes say.
      c.terminating("a");
      expect(c.readyAddresses()).toEqual([]);
      expect(published.at(-1)).toEqual([]);
      expect(published).toContainEqual(["127.0.0.21", "127.0.0.22"]);
    } finally {
      c.stop();
    }
  });

  test("a probe that times out fails it", async () => {
    const port = await backend("127.0.0.23", () => 200);
    servers.at(-1)!.removeAllListeners("request");
    servers.at(-1)!.on("request", () => undefined); // never answers
    const c = new EndpointController({ path: "/readyz", periodSeconds: 0.1, timeoutSeconds: 0.2, failureThreshold: 1, successThreshold: 1 }, () => undefined);
    try {
      c.add({ id: "hung", address: "127.0.0.23", port });
      await sleep(600);
      expect(c.isReady("hung")).toBe(false);
    } finally {
      c.stop();
    }
  });
});
