import { ofType, runStack, StackRun } from "../../harness";
import { coverageProblems, expectedAlarms, regionOf } from "./coverage";

/** prod (us-east-1): one topic pair serves the stack's and CloudFront's alarms; additional metrics on. */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
}, 180_000);

it("has every recommended alarm of every load balancer, target group, distribution, function, cache node, NAT gateway, certificate and health check, delivering", () => {
  const expected = expectedAlarms(run);
  // 2 LBs, 3 target groups, 1 distribution, 1 function, 3 cache nodes, 3 NAT gateways, 2 certificates, 2 Route53 health checks.
  expect(expected.map((e) => e.kind).sort()).toEqual(
    ["alb", "albTargetGroup", "nlb", "nlbTargetGroup", "nlbTargetGroup", "distribution", "cloudfrontFunction", "cacheNode", "cacheNode", "cacheNode", "natGateway", "natGateway", "natGateway", "certificate", "certificate", "healthCheck", "healthCheck"].sort(),
  );
  expect(coverageProblems(run)).toEqual([]);
});

it("turns on CloudFront's additional metrics for the distribution and alarms on OriginLatency in us-east-1", () => {
  const [sub] = ofType(run, "aws:cloudfront/monitoringSubscription:MonitoringSubscription");
  expect(sub.inputs.monitoringSubscription).toEqual({ realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" } });
  const alarm = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "OriginLatency")!;
  expect(alarm.inputs.extendedStatistic).toBe("p90");
  expect(regionOf(run, alarm)).toBe("us-east-1");
});

it("encrypts both topics with a rotated key that admits CloudWatch and Prometheus only for this account", () => {
  const [key] = ofType(run, "aws:kms/key:Key").filter((k) => k.parent === "alerting-topics");
  expect(key.inputs.enableKeyRotation).toBe(true);
  const grant = JSON.parse(String(key.inputs.policy)).Statement.find((s: any) => s.Principal.Service);
  expect(grant.Principal.Service).toEqual(["cloudwatch.amazonaws.com", "aps.amazonaws.com"]);
  expect(grant.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "123456789012" } });
  expect(ofType(run, "aws:sns/topic:Topic").map((t) => t.inputs.kmsMasterKeyId)).toEqual(Array(2).fill(expect.stringMatching(/^arn:aws:kms:us-east-1:/)));
});
