import { configProblems } from "../../harness/config";
import { memberClusterIds } from "../../../infra/cache/settings";
import { dashboardBody } from "../../../infra/observability/dashboard";
import { elbArnSuffix } from "../../../infra/observability/alerting";
import { alarmSpecs, cacheCpuThreshold, MonitoredResource, RECOMMENDED_ALARMS, thresholdOverrides } from "@edgestack/contract";
import { subscriptionProblem } from "../../../infra/config/subscriptions";

const base = { "aws:region": "eu-west-1", "edgestack:domain": "example.com" };

describe("alarmSpecs", () => {
  const resources: MonitoredResource<string>[] = [
    { kind: "alb", label: "alb", dimensions: { LoadBalancer: "app/a/1" } },
    { kind: "distribution", label: "cdn", dimensions: { DistributionId: "E1", Region: "Global" } },
  ];
  it("gives each resource every recommended alarm of its kind with its dimensions, CloudFront's in us-east-1", () => {
    const specs = alarmSpecs(resources, { thresholds: {}, cloudFrontAdditionalMetrics: true });
    expect(specs.filter((s) => s.resourceLabel === "alb").map((s) => s.alarm.metricName).sort()).toEqual(RECOMMENDED_ALARMS.filter((a) => a.kind === "alb").map((a) => a.metricName).sort());
    expect(specs.filter((s) => s.resourceLabel === "cdn").every((s) => s.region === "us-east-1" && s.dimensions.DistributionId === "E1")).toBe(true);
    expect(specs.filter((s) => s.resourceLabel === "alb").every((s) => s.region === "stack")).toBe(true);
    expect(specs.every((s) => s.description.includes("Runbook:"))).toBe(true);
  });
  it("leaves OriginLatency out without additional metrics and applies threshold overrides", () => {
    const specs = alarmSpecs(resources, { thresholds: thresholdOverrides(["alb.HTTPCode_ELB_5XX_Count=7"]), cloudFrontAdditionalMetrics: false });
    expect(specs.some((s) => s.alarm.metricName === "OriginLatency")).toBe(false);
    expect(specs.find((s) => s.alarm.id === "alb.HTTPCode_ELB_5XX_Count")!.threshold).toBe(7);
  });
  it("takes a resource's own default threshold over the catalogue's, and config over both", () => {
    const cache: MonitoredResource<string> = { kind: "cacheNode", label: "cache", dimensions: { CacheClusterId: "g-0001-001", CacheNodeId: "0001" }, thresholds: { "cacheNode.CPUUtilization": cacheCpuThreshold(4) } };
    const cpu = (thresholds: Record<string, number>) => alarmSpecs([cache], { thresholds, cloudFrontAdditionalMetrics: false }).find((s) => s.alarm.id === "cacheNode.CPUUtilization")!.threshold;
    expect(cpu({})).toBe(22);
    expect(cpu(thresholdOverrides(["cacheNode.CPUUtilization=30"]))).toBe(30);
    expect([cacheCpuThreshold(1), cacheCpuThreshold(2), cacheCpuThreshold(64)]).toEqual([90, 45, 1]);
  });
  it("refuses a resource without one of its kind's dimensions, and a label used twice", () => {
    expect(() => alarmSpecs([{ kind: "albTargetGroup", label: "tg", dimensions: { TargetGroup: "targetgroup/x/1" } }], { thresholds: {}, cloudFrontAdditionalMetrics: false })).toThrow(/lacks dimension LoadBalancer/);
    expect(() => alarmSpecs([resources[0], resources[0]], { thresholds: {}, cloudFrontAdditionalMetrics: false })).toThrow(/used twice/);
  });
});

describe("config", () => {
  it.each([
    ["email:oncall@example.com", undefined],
    ["https:https://hooks.example.com/x", undefined],
    ["sms:+14155550100", undefined],
    ["http:http://hooks.example.com/x", /protocol "http"/],
    ["https:http://hooks.example.com/x", /not an https:\/\/ URL/],
    ["email:not-an-address", /not an e-mail address/],
    ["sqs:my-queue", /not an SQS queue ARN/],
    ["oncall@example.com", /protocol/],
  ])("subscription %s", (value, problem) => {
    const got = subscriptionProblem(value);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });
  it("names the key and the value of a bad subscription or threshold", () => {
    const problems = configProblems({ ...base, "edgestack:alertPageSubscriptions": JSON.stringify(["email:oncall@example.com", "http:http://x.example.com"]) });
    expect(problems.join("\n")).toMatch(/alertPageSubscriptions.*protocol "http"/);
    const t = configProblems({ ...base, "edgestack:alarmThresholds": JSON.stringify(["alb.NoSuchMetric=3"]) });
    expect(t.join("\n")).toMatch(/alarmThresholds.*names no recommended alarm "alb.NoSuchMetric"/);
    const n = configProblems({ ...base, "edgestack:alarmThresholds": JSON.stringify(["alb.HTTPCode_ELB_5XX_Count=lots"]) });
    expect(n.join("\n")).toMatch(/alarmThresholds.*<alarm id>=<number>/);
  });
});

describe("dimension values", () => {
  it("takes the ELB dimension from an ARN", () => {
    expect(elbArnSuffix("arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/edge/0123abcd")).toBe("app/edge/0123abcd");
    expect(elbArnSuffix("arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/nginx/0123abcd")).toBe("targetgroup/nginx/0123abcd");
    expect(() => elbArnSuffix("arn:aws:sns:eu-west-1:123456789012:x")).toThrow(/not a load balancer/);
  });
  it("names cluster-mode member clusters as ElastiCache does", () => {
    expect(memberClusterIds("g", 2, 1)).toEqual(["g-0001-001", "g-0001-002", "g-0002-001", "g-0002-002"]);
  });
});

describe("dashboardBody", () => {
  it("shows the hops in order, CloudFront's and the WAF's widgets reading us-east-1, the cache per node", () => {
    const body = JSON.parse(
      dashboardBody({
        region: "eu-west-1",
        distributionIds: ["E1"],
        webAcl: "edge-cdn-acl",
        alb: { loadBalancer: "app/a/1", targetGroups: [{ tier: "blue", targetGroup: "targetgroup/t/1" }] },
        nlb: { loadBalancer: "net/n/1", targetGroups: ["targetgroup/u/1"] },
        cacheNodes: ["g-0001-001", "g-0001-002"],
        clusterName: "edge-dev",
      }),
    );
    const titles = body.widgets.filter((w: any) => w.type === "text" && w.height === 1).map((w: any) => w.properties.markdown);
    expect(titles).toEqual([
      "## CloudFront (viewer side)",
      "## WAF (CloudFront web ACL)",
      "## ALB (origin)",
      "## NLB (layer 4: WebSockets, fixed IPs)",
      "## nginx and app pods, nodes (Container Insights)",
      "## nginx and app requests",
      "## ElastiCache (rate-limit store), per node",
    ]);
    const metricWidgets = body.widgets.filter((w: any) => w.type === "metric");
    expect(metricWidgets.filter((w: any) => /AWS\/CloudFront|AWS\/WAFV2/.test(JSON.stringify(w.properties.metrics))).every((w: any) => w.properties.region === "us-east-1")).toBe(true);
    expect(JSON.stringify(body)).toContain('"ContainerInsights","node_cpu_utilization","ClusterName","edge-dev"');
    expect(JSON.stringify(body)).toContain('"CacheClusterId","g-0001-002","CacheNodeId","0001"');
    // No widget overlaps another.
    const cells = new Set<string>();
    for (const w of body.widgets) for (let x = w.x; x < w.x + w.width; x++) for (let y = w.y; y < w.y + w.height; y++) {
      expect(cells.has(`${x},${y}`)).toBe(false);
      cells.add(`${x},${y}`);
    }
  });
  it("draws every nginx tier's target group on each ALB widget (blue and green during a shift)", () => {
    const body = JSON.parse(
      dashboardBody({
        region: "eu-west-1",
        distributionIds: [],
        alb: { loadBalancer: "app/a/1", targetGroups: [{ tier: "blue", targetGroup: "targetgroup/b/1" }, { tier: "green", targetGroup: "targetgroup/g/2" }] },
        cacheNodes: [],
      }),
    );
    const alb = body.widgets.filter((w: any) => w.type === "metric" && JSON.stringify(w.properties.metrics).includes("AWS/ApplicationELB"));
    expect(alb).toHaveLength(4);
    for (const w of alb) {
      const text = JSON.stringify(w.properties.metrics);
      expect(text).toContain("targetgroup/b/1");
      expect(text).toContain("targetgroup/g/2");
    }
  });
});
