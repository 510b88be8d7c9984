import { BASE_MEMORY_BYTES, CLUSTER_FD_LIMIT, FD_SLACK, MEMORY_PER_CONNECTION_BYTES, NGINX_POD_RESOURCES, nginxCapacity, processFdLimit } from "../../../infra/nginx/capacity";

const pod = { ...NGINX_POD_RESOURCES.limits, fdLimit: CLUSTER_FD_LIMIT, maxWorkerConnections: 65_536 };

describe("nginxCapacity", () => {
  test("the cluster's nginx pod (1 CPU, 256Mi, 65536 descriptors): one worker, bounded by memory, 3/4 of it for WebSockets", () => {
    const c = nginxCapacity(pod);
    expect(c).toEqual({
      workerProcesses: 1,
      workerConnections: (256 * 1024 * 1024 - BASE_MEMORY_BYTES) / MEMORY_PER_CONNECTION_BYTES,
      workerRlimitNofile: 12_288 + FD_SLACK,
      connectionsPerPod: 12_288,
      webSocketsPerPod: 4608,
      boundBy: "memory",
    });
  });

  test("one worker per whole CPU; memory is shared between them", () => {
    const c = nginxCapacity({ ...pod, cpu: "2500m", memory: "1Gi" });
    expect(c.workerProcesses).toBe(2);
    expect(c.workerConnections).toBe(Math.floor((1024 ** 3 - BASE_MEMORY_BYTES) / MEMORY_PER_CONNECTION_BYTES / 2));
    expect(nginxCapacity({ ...pod, cpu: "500m" }).workerProcesses).toBe(1);
  });

  test("the descriptor limit and the configured ceiling bound it too; the rlimit always covers the connections", () => {
    expect(nginxCapacity({ ...pod, fdLimit: 1024 })).toMatchObject({ workerConnections: 1024 - FD_SLACK, workerRlimitNofile: 1024, boundBy: "file descriptors" });
    expect(nginxCapacity({ ...pod, maxWorkerConnections: 2048 })).toMatchObject({ workerConnections: 2048, webSocketsPerPod: 768, boundBy: "nginxWorkerConnections" });
    for (const fdLimit of [512, 4096, 100_000]) {
      const c = nginxCapacity({ ...pod, fdLimit });
      expect(c.workerRlimitNofile).toBeGreaterThanOrEqual(c.workerConnections);
      expect(c.workerRlimitNofile).toBeLessThanOrEqual(fdLimit);
      expect(c.webSocketsPerPod * 2).toBeLessThan(c.connectionsPerPod);
    }
  });

  test("a pod too small to hold 256 connections per worker is refused with the figures", () => {
    expect(() => nginxCapacity({ ...pod, memory: "64Mi" })).toThrow(/cpu 1, memory 64Mi, 65536 file descriptors\) leave -?\d+ connections per worker; at least 256/);
    expect(() => nginxCapacity({ ...pod, fdLimit: 200 })).toThrow(/leave 136 connections per worker/);
  });
});

test("processFdLimit reads the hard limit from /proc/<pid>/limits", () => {
  const text = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n";
  expect(processFdLimit(text, 7)).toBe(524_288);
  expect(processFdLimit(text.replace("524288", "unlimited"), 7)).toBe(7);
  expect(processFdLimit("", 7)).toBe(7);
});
