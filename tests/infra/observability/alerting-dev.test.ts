import { ofType, runStack, StackRun } from "../../harness";
import { coverageProblems, expectedAlarms, regionOf } from "./coverage";

/** dev (eu-west-1): a second topic pair and key in us-east-1 for CloudFront's alarms; subscriptions from config. */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({
    stack: "dev",
    config: {
      "edgestack:alertPageSubscriptions": JSON.stringify(["email:oncall@example.com", "https:https://events.example.com/hook"]),
      "edgestack:alertTicketSubscriptions": JSON.stringify(["sqs:arn:aws:sqs:eu-west-1:123456789012:alerts"]),
      "edgestack:alarmThresholds": JSON.stringify(["alb.HTTPCode_ELB_5XX_Count=42"]),
    },
  });
}, 180_000);

it("has every recommended alarm of every monitored resource, in its metric's region, acting on a same-region topic CloudWatch can use", () => {
  expect(expectedAlarms(run).filter((e) => e.kind === "cacheNode")).toHaveLength(2);
  expect(coverageProblems(run)).toEqual([]);
});

it("puts CloudFront's alarms and their topics in us-east-1 and the rest in eu-west-1", () => {
  const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
  // CloudFront's and Route53's metrics (DNSSEC of the zone) are published in us-east-1.
  const inUsEast1 = (a: (typeof alarms)[number]) => a.inputs.namespace === "AWS/CloudFront" || a.inputs.namespace === "AWS/Route53" || String((a.inputs.dimensions as Record<string, string> | undefined)?.CertificateArn ?? "").includes(":us-east-1:");
  for (const a of alarms) expect([a.name, regionOf(run, a)]).toEqual([a.name, inUsEast1(a) ? "us-east-1" : "eu-west-1"]);
  // The CloudFront certificate's expiry alarm lives with the certificate, in us-east-1.
  expect(alarms.filter((a) => a.inputs.namespace === "AWS/CertificateManager").map((a) => regionOf(run, a)).sort()).toEqual(["eu-west-1", "us-east-1"]);
  expect(ofType(run, "aws:sns/topic:Topic").map((t) => regionOf(run, t)).sort()).toEqual(["eu-west-1", "eu-west-1", "us-east-1", "us-east-1"]);
});

it("keeps dev small: no CloudFront additional metrics, so no OriginLatency alarm", () => {
  expect(ofType(run, "aws:cloudfront/monitoringSubscription:MonitoringSubscription")).toEqual([]);
  expect(ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").some((a) => a.inputs.metricName === "OriginLatency")).toBe(false);
});

it("subscribes each topic pair as configured and applies threshold overrides", () => {
  const subs = ofType(run, "aws:sns/topicSubscription:TopicSubscription").map((s) => `${s.inputs.protocol}:${s.inputs.endpoint}`);
  expect(subs.sort()).toEqual(
    ["email:oncall@example.com", "email:oncall@example.com", "https:https://events.example.com/hook", "https:https://events.example.com/hook", "sqs:arn:aws:sqs:eu-west-1:123456789012:alerts", "sqs:arn:aws:sqs:eu-west-1:123456789012:alerts"].sort(),
  );
  const alarm = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.metricName === "HTTPCode_ELB_5XX_Count")!;
  expect(alarm.inputs.threshold).toBe(42);
});
