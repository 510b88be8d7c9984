import { CapturedResource, input, ofType, one, runStack, StackRun } from "../../harness";
import { ENDPOINT_PROPAGATION_SECONDS, NGINX_EXIT_SECONDS } from "../../../infra/config/nginx-stop";

/**
 * One timeout chain, from one place in config: non-default values set once reach CloudFront, the ALB,
 * the target groups, nginx.conf, the app's environment and the pods' grace period consistently.
 */
const CHAIN = {
  cdnOriginKeepaliveSeconds: 7,
  albIdleTimeoutSeconds: 50,
  nginxClientKeepaliveSeconds: 55,
  nginxUpstreamKeepaliveSeconds: 40,
  appKeepAliveSeconds: 45,
  appHeadersTimeoutSeconds: 47,
  deregistrationDelaySeconds: 15,
  appShutdownDelaySeconds: 18,
  terminationGracePeriodSeconds: 40,
};

let run: StackRun;
let seen: Record<keyof typeof CHAIN, number>;
let nginxWorkerShutdown: number;
let nginxPreStop: number;

const seconds = (directive: string, text: string) => {
  const values = [...text.matchAll(new RegExp(`^\\s*${directive} (\\d+)s;`, "gm"))].map((m) => Number(m[1]));
  expect(new Set(values).size).toBe(1);
  return values[0];
};

beforeAll(async () => {
  run = await runStack({ stack: "dev", config: Object.fromEntries(Object.entries(CHAIN).map(([k, v]) => [`edgestack:${k}`, String(v)])) });

  const distribution = one(run, "aws:cloudfront/distribution:Distribution");
  const albOrigin = input<{ customOriginConfig?: { originKeepaliveTimeout: number } }[]>(distribution, "origins").find((o) => o.customOriginConfig)!;
  const alb = ofType(run, "aws:lb/loadBalancer:LoadBalancer").find((lb) => input(lb, "loadBalancerType") === "application")!;
  const conf = input<Record<string, string>>(one(run, "kubernetes:core/v1:ConfigMap"), "data")["nginx.conf"];
  const upstreamBlocks = [...conf.matchAll(/^\s*upstream \w+ \{[^}]*\}/gm)].map((m) => m[0]);
  expect(upstreamBlocks.length).toBeGreaterThan(0);
  const outsideUpstreams = upstreamBlocks.reduce((text, block) => text.replace(block, ""), conf);
  const app = one(run, "kubernetes:apps/v1:Deployment", "workloads-app");
  const nginx = one(run, "kubernetes:apps/v1:Deployment", "workloads-nginx");
  const env = Object.fromEntries(input<{ name: string; value?: string }[]>(app, "spec.template.spec.containers[0].env").map((e) => [e.name, e.value]));
  const deregistration = new Set(ofType(run, "aws:lb/targetGroup:TargetGroup").map((tg) => Number(input(tg, "deregistrationDelay"))));
  expect(deregistration.size).toBe(1);
  const grace = new Set([app, nginx].map((d: CapturedResource) => input<number>(d, "spec.template.spec.terminationGracePeriodSeconds")));
  expect(grace.size).toBe(1);

  seen = {
    cdnOriginKeepaliveSeconds: albOrigin.customOriginConfig!.originKeepaliveTimeout,
    albIdleTimeoutSeconds: input<number>(alb, "idleTimeout"),
    nginxClientKeepaliveSeconds: seconds("keepalive_timeout", outsideUpstreams),
    nginxUpstreamKeepaliveSeconds: seconds("keepalive_timeout", upstreamBlocks.join("\n")),
    appKeepAliveSeconds: Number(env.KEEPALIVE_TIMEOUT_MS) / 1000,
    appHeadersTimeoutSeconds: Number(env.HEADERS_TIMEOUT_MS) / 1000,
    deregistrationDelaySeconds: [...deregistration][0],
    appShutdownDelaySeconds: Number(env.SHUTDOWN_DELAY_MS) / 1000,
    terminationGracePeriodSeconds: [...grace][0],
  };
  nginxWorkerShutdown = seconds("worker_shutdown_timeout", conf);
  nginxPreStop = input<number>(nginx, "spec.template.spec.containers[0].lifecycle.preStop.sleep.seconds");
});

it("every configured value reaches the resource that enforces it", () => {
  expect(seen).toEqual(CHAIN);
});

it("holds the chain on the values as deployed: each hop gives up on idle connections before the one behind it", () => {
  expect(seen.cdnOriginKeepaliveSeconds).toBeLessThan(seen.albIdleTimeoutSeconds);
  expect(seen.albIdleTimeoutSeconds).toBeLessThan(seen.nginxClientKeepaliveSeconds);
  expect(seen.nginxUpstreamKeepaliveSeconds).toBeLessThan(seen.appKeepAliveSeconds);
  expect(seen.appKeepAliveSeconds).toBeLessThan(seen.appHeadersTimeoutSeconds);
});

it("drains in order: deregistration ≤ app shutdown delay < grace period, and nginx's stop fits in the grace period", () => {
  expect(seen.deregistrationDelaySeconds).toBeLessThanOrEqual(seen.appShutdownDelaySeconds);
  expect(seen.appShutdownDelaySeconds).toBeLessThan(seen.terminationGracePeriodSeconds);
  expect(nginxPreStop + nginxWorkerShutdown).toBeLessThan(seen.terminationGracePeriodSeconds);
  const app = one(run, "kubernetes:apps/v1:Deployment", "workloads-app");
  const env = Object.fromEntries(input<{ name: string; value?: string }[]>(app, "spec.template.spec.containers[0].env").map((e) => [e.name, e.value]));
  expect(Number(env.SHUTDOWN_TIMEOUT_MS)).toBeGreaterThan(Number(env.SHUTDOWN_DELAY_MS));
  expect(Number(env.SHUTDOWN_TIMEOUT_MS)).toBeLessThan(seen.terminationGracePeriodSeconds * 1000);
});

it("nginx pauses until nothing sends to the pod, on the facts as planned: instance targets on a Cluster-policy NodePort Service, so kube-proxy (not a target group) stops sending", () => {
  for (const tg of ofType(run, "aws:lb/targetGroup:TargetGroup")) expect({ name: tg.name, targetType: input(tg, "targetType") }).toEqual({ name: tg.name, targetType: "instance" });
  const services = ofType(run, "kubernetes:core/v1:Service").filter((svc) => input(svc, "spec.type") === "NodePort");
  expect(services.length).toBeGreaterThan(0);
  for (const svc of services) expect(input(svc, "spec.externalTrafficPolicy")).toBe("Cluster");
  expect(nginxPreStop).toBe(ENDPOINT_PROPAGATION_SECONDS);
  // The drain gets the app's delay when the grace period has room for the pause, the drain and the exit.
  expect(nginxWorkerShutdown).toBe(Math.min(seen.appShutdownDelaySeconds, seen.terminationGracePeriodSeconds - nginxPreStop - NGINX_EXIT_SECONDS));
});
