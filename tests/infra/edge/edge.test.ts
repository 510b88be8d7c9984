import { CapturedResource, input, isSecretInput, ofType, one, runStack, StackRun, toPlan, mockOutputsOf } from "../../harness";
import { CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST } from "../../../infra/edge/alb";
import { invoke } from "../../../offline/engine/invokes";
import { albRoutes } from "../../../infra/edge/origin-lock";
import { routePath } from "@edgestack/contract";

/** The dev stack's load balancers, origin lock and certificates, as the mock engine records them. */

const REGION = "eu-west-1";
const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";
const TG = "aws:lb/targetGroup:TargetGroup";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const idOf = (type: string, name: string) => mockOutputsOf(run, type, name, REGION).id;

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev" });
});

const secretValue = () => mockOutputsOf(run, "random:index/randomPassword:RandomPassword", "origin-lock-secret", REGION).outputs.result as string;
const sgRules = (type: string, sgName: string) => ofType(run, type).filter((r) => input(r, "securityGroupId") === idOf("aws:ec2/securityGroup:SecurityGroup", sgName));

describe("ALB", () => {
  const alb = () => ofType(run, LB).find((r) => input(r, "loadBalancerType") === "application")!;

  it("is internet-facing, dual-stack, in the public subnets, with the idle timeout from config", () => {
    expect(alb()).toBeDefined();
    expect(input(alb(), "internal")).toBe(false);
    expect(input(alb(), "ipAddressType")).toBe("dualstack");
    expect(input(alb(), "subnets")).toEqual(run.outputs.publicSubnetIds);
    expect(input(alb(), "idleTimeout")).toBe(60);
    expect(input(alb(), "dropInvalidHeaderFields")).toBe(true);
  });

  it("has no deletion protection or access logs in dev", () => {
    expect(input(alb(), "enableDeletionProtection")).toBe(false);
    expect(input(alb(), "accessLogs")).toBeUndefined();
  });

  it("has an HTTP listener whose only action is a 301 to HTTPS:443, and no rules on it", () => {
    const http = one(run, LISTENER, "alb-http");
    expect(input(http, "protocol")).toBe("HTTP");
    expect(input(http, "defaultActions")).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
    const httpArn = idOf(LISTENER, "alb-http");
    expect(ofType(run, RULE).filter((r) => input(r, "listenerArn") === httpArn)).toEqual([]);
  });

  it("terminates HTTPS with a TLS 1.3 policy and the validated origin certificate, 403 by default", () => {
    const https = one(run, LISTENER, "alb-https");
    expect(input(https, "protocol")).toBe("HTTPS");
    expect(input<string>(https, "sslPolicy")).toMatch(/TLS13/);
    expect(input(https, "certificateArn")).toBe(idOf("aws:acm/certificate:Certificate", "lb-certificate-cert"));
    expect(input(https, "defaultActions")).toEqual([{ type: "fixed-response", fixedResponse: { statusCode: "403", contentType: "text/plain", messageBody: "Forbidden" } }]);
  });

  it("forwards /api/*, /ws and the rest only when the secret origin header matches", () => {
    const httpsArn = idOf(LISTENER, "alb-https");
    const all = ofType(run, RULE).sort((a, b) => input<number>(a, "priority") - input<number>(b, "priority"));
    const rules = all.filter((r) => input<{ type: string }[]>(r, "actions")[0]!.type === "forward");
    // The rules the program declares are the contract's (albRoutes derives them; checked in tests/infra/contract.test.ts).
    expect(rules.map((r) => input(r, "priority"))).toEqual(albRoutes().map((r) => r.priority));
    const conditions = (r: (typeof rules)[number]) => input<Record<string, { values: string[] }>[]>(r, "conditions");
    expect(rules.map((r) => conditions(r).find((c) => c.pathPattern)?.pathPattern.values)).toEqual(albRoutes().map((r) => r.pathPatterns));
    // Each rule matches exactly its route's methods (none listed: all seven).
    expect(rules.map((r) => conditions(r).find((c) => c.httpRequestMethod)?.httpRequestMethod.values)).toEqual(albRoutes().map((r) => r.methods));
    expect(albRoutes().find((r) => r.key === "default")?.methods).toEqual(["GET", "HEAD"]);
    expect(albRoutes().find((r) => r.key === "api")?.methods).toBeUndefined();
    // Whatever carries the header but no rule takes (a method the route does not take): 405, after every route rule.
    const refused = all.at(-1)!;
    expect(input(refused, "actions")).toEqual([{ type: "fixed-response", fixedResponse: expect.objectContaining({ statusCode: "405" }) }]);
    expect(input(refused, "conditions")).toEqual([{ httpHeader: { httpHeaderName: "X-Origin-Verify", values: [secretValue()] } }]);
    for (const rule of rules) {
      expect(input(rule, "listenerArn")).toBe(httpsArn);
      expect(input(rule, "conditions[0].httpHeader")).toEqual({ httpHeaderName: "X-Origin-Verify", values: [secretValue()] });
      expect(isSecretInput(rule, "conditions[0].httpHeader.values[0]")).toBe(true);
      expect(input(rule, "actions")).toEqual([{ type: "forward", targetGroupArn: idOf(TG, "alb-nginx") }]);
    }
  });

  it("targets nginx's TLS NodePort over HTTPS with an HTTPS /health check and config-driven timings", () => {
    const tg = one(run, TG, "alb-nginx");
    expect(input(tg, "protocol")).toBe("HTTPS");
    expect(input(tg, "port")).toBe(30080);
    expect(input(tg, "targetType")).toBe("instance");
    expect(input(tg, "loadBalancingAlgorithmType")).toBe("least_outstanding_requests");
    expect(input(tg, "deregistrationDelay")).toBe(20);
    expect(input(tg, "healthCheck")).toMatchObject({ path: routePath("health"), matcher: "200", port: "traffic-port", protocol: "HTTPS", interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 });
    expect(input(tg, "stickiness")).toEqual({ type: "lb_cookie", enabled: false });
  });

  it("accepts HTTPS only from CloudFront's origin-facing prefix list and talks only to the NodePort", () => {
    const prefixListId = invoke("aws:ec2/getManagedPrefixList:getManagedPrefixList", { name: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST }, REGION).id;
    const ingress = sgRules(INGRESS, "alb-sg");
    expect(ingress.map((r) => r.inputs)).toEqual([
      expect.objectContaining({ prefixListId, ipProtocol: "tcp", fromPort: 443, toPort: 443 }),
    ]);
    expect(ingress[0].inputs.cidrIpv4).toBeUndefined();
    const egress = sgRules(EGRESS, "alb-sg");
    expect(egress.map((r) => [input(r, "cidrIpv4"), input(r, "fromPort"), input(r, "toPort")])).toEqual([["10.10.0.0/16", 30080, 30080]]);
  });
});

describe("NLB", () => {
  const nlb = () => ofType(run, LB).find((r) => input(r, "loadBalancerType") === "network")!;

  it("is internet-facing, cross-zone, dual-stack, in the public subnets", () => {
    expect(input(nlb(), "internal")).toBe(false);
    expect(input(nlb(), "enableCrossZoneLoadBalancing")).toBe(true);
    expect(input(nlb(), "ipAddressType")).toBe("dualstack");
    expect(input(nlb(), "subnets")).toEqual(run.outputs.publicSubnetIds);
    expect(input(nlb(), "subnetMappings")).toBeUndefined();
    expect(input(nlb(), "securityGroups")).toEqual([idOf("aws:ec2/securityGroup:SecurityGroup", "nlb-sg")]);
  });

  it("terminates TLS on 443 with a TLS 1.3 policy and passes TCP 80 through, both to proxy-protocol target groups", () => {
    const tls = one(run, LISTENER, "nlb-tls");
    expect(input(tls, "protocol")).toBe("TLS");
    expect(input(tls, "port")).toBe(443);
    expect(input<string>(tls, "sslPolicy")).toMatch(/TLS13/);
    expect(input(tls, "certificateArn")).toMatch(/^arn:aws:acm:eu-west-1:/);
    expect(input(tls, "defaultActions")).toEqual([{ type: "forward", targetGroupArn: idOf(TG, "nlb-tls") }]);
    const tcp = one(run, LISTENER, "nlb-tcp-80");
    expect(input(tcp, "protocol")).toBe("TCP");
    expect(input(tcp, "port")).toBe(80);
    expect(input(tcp, "defaultActions")).toEqual([{ type: "forward", targetGroupArn: idOf(TG, "nlb-http") }]);
  });

  it("target groups: proxy protocol v2, connection termination, health-checked over HTTPS on the ALB's TLS NodePort", () => {
    for (const [name, port] of [["nlb-tls", 30081], ["nlb-http", 30082]] as const) {
      const tg = one(run, TG, name);
      expect(tg.inputs).toMatchObject({ protocol: "TCP", port, targetType: "instance", proxyProtocolV2: true, connectionTermination: true, deregistrationDelay: 20 });
      expect(input(tg, "healthCheck")).toMatchObject({ protocol: "HTTPS", port: "30080", path: routePath("health"), matcher: "200" });
    }
  });

  it("is open to the world on 80/443 over IPv4 and IPv6, nothing else; egress only to the NodePorts", () => {
    const ingress = sgRules(INGRESS, "nlb-sg").map((r) => `${r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6}:${r.inputs.fromPort}-${r.inputs.toPort}`);
    expect(ingress.sort()).toEqual(["0.0.0.0/0:443-443", "0.0.0.0/0:80-80", "::/0:443-443", "::/0:80-80"]);
    const egress = sgRules(EGRESS, "nlb-sg").map((r) => `${r.inputs.cidrIpv4}:${r.inputs.fromPort}`);
    expect(egress.sort()).toEqual(["10.10.0.0/16:30080", "10.10.0.0/16:30081", "10.10.0.0/16:30082"]);
  });
});

describe("stack-wide ingress", () => {
  it("has no ingress from 0.0.0.0/0 or ::/0 other than the NLB's 80/443", () => {
    const nlbSg = idOf("aws:ec2/securityGroup:SecurityGroup", "nlb-sg");
    const open = (cidrs: unknown[]) => cidrs.some((c) => c === "0.0.0.0/0" || c === "::/0");
    const offenders: string[] = [];
    const check = (r: CapturedResource, sg: unknown, cidrs: unknown[], from: unknown, to: unknown) => {
      if (!open(cidrs)) return;
      if (sg === nlbSg && from === to && (from === 80 || from === 443)) return;
      offenders.push(`${r.type} ${r.name}`);
    };
    for (const r of ofType(run, INGRESS)) check(r, r.inputs.securityGroupId, [r.inputs.cidrIpv4, r.inputs.cidrIpv6], r.inputs.fromPort, r.inputs.toPort);
    for (const r of ofType(run, "aws:ec2/securityGroupRule:SecurityGroupRule")) {
      if (r.inputs.type === "ingress") check(r, r.inputs.securityGroupId, [...((r.inputs.cidrBlocks as unknown[]) ?? []), ...((r.inputs.ipv6CidrBlocks as unknown[]) ?? [])], r.inputs.fromPort, r.inputs.toPort);
    }
    for (const r of ofType(run, "aws:ec2/securityGroup:SecurityGroup")) {
      for (const rule of (r.inputs.ingress as Record<string, unknown[]>[] | undefined) ?? []) {
        check(r, undefined, [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])], rule.fromPort, rule.toPort);
      }
    }
    expect(offenders).toEqual([]);
    // The check can fail: the NLB's own world-open rules are there and are recognised.
    expect(sgRules(INGRESS, "nlb-sg").length).toBe(4);
  });
});

describe("origin lock", () => {
  it("generates a long alphanumeric secret", () => {
    const password = one(run, "random:index/randomPassword:RandomPassword", "origin-lock-secret");
    expect(input<number>(password, "length")).toBeGreaterThanOrEqual(32);
    expect(input(password, "special")).toBe(false);
    expect(secretValue()).toMatch(/^[A-Za-z0-9]{48}$/);
  });

  it("never shows the secret in the plan", () => {
    const plan = JSON.stringify(toPlan(run.resources));
    expect(plan).not.toContain(secretValue());
    const rule = toPlan(run.resources).find((r) => r.name === "alb-route-api")!;
    expect(JSON.stringify(rule.inputs)).toContain("[secret]");
  });
});

describe("certificates", () => {
  const providerName = (r: CapturedResource) => r.provider?.split("::")[3];

  it("covers origin + edge on the regional provider and apex + www on us-east-1", () => {
    const lb = one(run, "aws:acm/certificate:Certificate", "lb-certificate-cert");
    expect(lb.inputs).toMatchObject({ domainName: "origin.dev.edgestack.example.com", subjectAlternativeNames: ["edge.dev.edgestack.example.com"], validationMethod: "DNS" });
    expect(providerName(lb)).toBe("aws");
    const cdn = one(run, "aws:acm/certificate:Certificate", "cdn-certificate-cert");
    expect(cdn.inputs).toMatchObject({ domainName: "dev.edgestack.example.com", subjectAlternativeNames: ["www.dev.edgestack.example.com"] });
    expect(providerName(cdn)).toBe("aws-us-east-1");
  });

  it("validates each through one DNS record per name in the stack's zone", () => {
    const zoneId = run.outputs.hostedZoneId;
    for (const cert of ["lb-certificate", "cdn-certificate"]) {
      const records = ofType(run, "aws:route53/record:Record").filter((r) => r.name.startsWith(`${cert}-validation-`));
      expect(records).toHaveLength(2);
      for (const r of records) {
        expect(r.inputs).toMatchObject({ zoneId, type: "CNAME", ttl: 300 });
        expect(input<string[]>(r, "records")[0]).toMatch(/\.acm-validations\.aws\.$/);
      }
      const validation = one(run, "aws:acm/certificateValidation:CertificateValidation", `${cert}-validation`);
      expect(input<string[]>(validation, "validationRecordFqdns").sort()).toEqual(records.map((r) => input<string>(r, "name")).sort());
    }
  });
});
