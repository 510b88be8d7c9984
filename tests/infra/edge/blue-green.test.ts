import { ConfigError } from "../../../infra/config/schema";
import { albForwardAction } from "../../../infra/edge/alb";
import { nlbColors } from "../../../infra/edge/nlb";
import { nginxTiers } from "../../../infra/workloads/nginx";
import { input, mockOutputsOf, ofType, one, runStack, StackRun } from "../../harness";

/**
 * Blue/green of the nginx tier on the dev stack under mocks: 90 % of the ALB's requests to blue, 10 %
 * to green (its own image), the NLB on blue. Pure parts first, then the program's resources.
 */

const TG = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const LISTENER = "aws:lb/listener:Listener";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const GREEN_IMAGE = "nginxinc/nginx-unprivileged:1.31.0-alpine";

describe("albForwardAction", () => {
  it("is a plain forward without green, a weighted forward (blue first) with it", () => {
    expect(albForwardAction({ blue: "b" }, undefined, 0)).toEqual({ type: "forward", targetGroupArn: "b" });
    expect(albForwardAction({ blue: "b", green: "g" }, { blue: 90, green: 10 }, 0)).toEqual({
      type: "forward",
      forward: { targetGroups: [{ arn: "b", weight: 90 }, { arn: "g", weight: 10 }] },
    });
  });
  it("keeps a sticky client on its colour when target stickiness is on", () => {
    expect(albForwardAction({ blue: "b", green: "g" }, { blue: 50, green: 50 }, 3600)).toMatchObject({ forward: { stickiness: { enabled: true, duration: 3600 } } });
  });
  it("refuses weights a caller hands it unchecked, naming the key", () => {
    const problems = (w: { blue: number; green: number }) => {
      try {
        albForwardAction({ blue: "b", green: "g" }, w, 0);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems;
      }
      throw new Error("accepted");
    };
    expect(problems({ blue: 101, green: -1 })).toEqual([expect.stringMatching(/^edgestack:albBlueWeight: 101 /), expect.stringMatching(/^edgestack:albGreenWeight: -1 /)]);
    expect(problems({ blue: 0.5, green: 99.5 })).toEqual([expect.stringMatching(/^edgestack:albBlueWeight: 0.5 /), expect.stringMatching(/^edgestack:albGreenWeight: 99.5 /)]);
    expect(problems({ blue: 60, green: 60 })).toEqual([expect.stringMatching(/^edgestack:albBlueWeight \(60\) \+ edgestack:albGreenWeight \(60\) = 120/)]);
    expect(() => albForwardAction({ blue: "b", green: "g" }, undefined, 0)).toThrow(/together/);
  });
});

describe("nlbColors and nginxTiers", () => {
  const blue = { tlsNodePort: 30081, httpNodePort: 30082, healthCheckNodePort: 30080 };
  it("follow the configured colour and refuse a green port that is blue's", () => {
    expect(nlbColors(blue).listenerColor).toBe("blue");
    const green = { tlsNodePort: 30084, httpNodePort: 30085, healthCheckNodePort: 30083 };
    expect(nlbColors({ ...blue, blueGreen: { green, color: "green" } })).toEqual({ ports: { blue, green }, listenerColor: "green" });
    expect(() => nlbColors({ ...blue, blueGreen: { green: { ...green, healthCheckNodePort: 30080 }, color: "green" } })).toThrow(/green's NodePort 30080 is one of blue's/);
  });
  it("give green its own name, image (blue's when unset) and ports", () => {
    const s = { nginxImage: "nginx:1.30.0", nginxReplicas: 2, nginxHttpNodePort: 30080, nginxProxyProtocolNodePort: 30081, nginxProxyProtocolHttpNodePort: 30082, nginxBlueGreen: true, nginxGreenImage: "", nginxGreenReplicas: 0, nginxGreenHttpNodePort: 30083, nginxGreenProxyProtocolNodePort: 30084, nginxGreenProxyProtocolHttpNodePort: 30085 };
    expect(nginxTiers({ ...s, nginxBlueGreen: false }).map((t) => t.name)).toEqual(["nginx"]);
    const [, green] = nginxTiers(s);
    expect([green.name, green.image, green.replicas, green.nodePorts.nginxHttpNodePort]).toEqual(["nginx-green", "nginx:1.30.0", 0, 30083]);
    expect(() => nginxTiers({ ...s, nginxGreenProxyProtocolNodePort: 30081 })).toThrow(/30081 .* is one of blue's/);
  });
});

describe("the dev stack at 90/10", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({
      stack: "dev",
      config: { "edgestack:nginxBlueGreen": "true", "edgestack:albBlueWeight": "90", "edgestack:albGreenWeight": "10", "edgestack:nginxGreenImage": GREEN_IMAGE },
    });
  }, 120_000);
  const arnOf = (name: string) => mockOutputsOf(run, TG, name, "eu-west-1").outputs.arn as string;

  it("has a health-checked green target group on green's HTTP NodePort, configured like blue's", () => {
    const blue = one(run, TG, "alb-nginx");
    const green = one(run, TG, "alb-nginx-green");
    expect([input(blue, "port"), input(green, "port")]).toEqual([30080, 30083]);
    expect(input(green, "healthCheck")).toEqual(input(blue, "healthCheck"));
    expect(input(green, "healthCheck.path")).toBe("/health");
    expect(input(green, "loadBalancingAlgorithmType")).toBe(input(blue, "loadBalancingAlgorithmType"));
  });

  it("forwards every routing rule 90/10 over the two target groups, each still behind the origin header", () => {
    const rules = ofType(run, RULE).filter((r) => input(r, "actions.0.type") === "forward");
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(input(r, "actions.0.forward.targetGroups")).toEqual([
        { arn: arnOf("alb-nginx"), weight: 90 },
        { arn: arnOf("alb-nginx-green"), weight: 10 },
      ]);
      expect(JSON.stringify(input(r, "conditions"))).toContain("httpHeader");
    }
  });

  it("keeps the NLB's listeners on blue while green's NLB target groups stay registered and health-checked", () => {
    expect(input(one(run, LISTENER, "nlb-tls"), "defaultActions.0.targetGroupArn")).toBe(arnOf("nlb-tls"));
    expect(input(one(run, LISTENER, "nlb-tcp-80"), "defaultActions.0.targetGroupArn")).toBe(arnOf("nlb-http"));
    for (const [name, port] of [["nlb-tls-green", 30084], ["nlb-http-green", 30085]] as const) {
      const tg = one(run, TG, name);
      expect([input(tg, "port"), input(tg, "healthCheck.port"), input(tg, "proxyProtocolV2")]).toEqual([port, "30083", true]);
      expect(ofType(run, "aws:autoscaling/attachment:Attachment").some((a) => input(a, "lbTargetGroupArn") === arnOf(name))).toBe(true);
    }
  });

  it("admits green's NodePorts on the nodes only from the ALB's and the NLB's security groups", () => {
    const sg = (name: string) => mockOutputsOf(run, "aws:ec2/securityGroup:SecurityGroup", name, "eu-west-1").id;
    const rules = ofType(run, INGRESS).filter((r) => [30083, 30084, 30085].includes(input(r, "fromPort")));
    const seen = rules.map((r) => [input(r, "fromPort"), input(r, "referencedSecurityGroupId") === sg("alb-sg") ? "alb" : input(r, "referencedSecurityGroupId") === sg("nlb-sg") ? "nlb" : "other"]);
    expect(seen.sort()).toEqual([[30083, "alb"], [30083, "nlb"], [30084, "nlb"], [30085, "nlb"]]);
    for (const r of rules) expect([input(r, "cidrIpv4"), input(r, "cidrIpv6"), input(r, "prefixListId")]).toEqual([undefined, undefined, undefined]);
    const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").find((r) => r.name === "alb-to-nginx-green")!;
    expect([input(egress, "fromPort"), input(egress, "toPort")]).toEqual([30083, 30083]);
  });

  it("runs green as its own Deployment, Service and PDB that select only green's pods, with green's image", () => {
    const d = one(run, "kubernetes:apps/v1:Deployment", "workloads-nginx-green");
    const blue = one(run, "kubernetes:apps/v1:Deployment", "workloads-nginx");
    expect(input(d, "spec.template.spec.containers.0.image")).toBe(GREEN_IMAGE);
    expect(input(blue, "spec.template.spec.containers.0.image")).not.toBe(GREEN_IMAGE);
    expect(input(d, "spec.selector.matchLabels")).toEqual({ "app.kubernetes.io/name": "nginx-green", "app.kubernetes.io/part-of": "edgestack" });
    // Blue keeps its selector: enabling blue/green does not replace it, and neither selects the other's pods.
    expect(input(blue, "spec.selector.matchLabels")).toEqual({ "app.kubernetes.io/name": "nginx", "app.kubernetes.io/part-of": "edgestack" });
    const svc = one(run, "kubernetes:core/v1:Service", "workloads-nginx-green");
    expect(input(svc, "spec.selector")).toEqual({ "app.kubernetes.io/name": "nginx-green", "app.kubernetes.io/part-of": "edgestack" });
    expect((input(svc, "spec.ports") as { name: string; nodePort: number }[]).map((p) => [p.name, p.nodePort])).toEqual([["alb-https", 30083], ["pp-https", 30084], ["pp-http", 30085]]);
    expect(input(one(run, "kubernetes:policy/v1:PodDisruptionBudget", "workloads-nginx-green"), "spec.selector.matchLabels")).toEqual(input(d, "spec.selector.matchLabels"));
    // Same nginx.conf (one content-named ConfigMap) for both colours here.
    expect(input(d, "spec.template.spec.volumes.0.configMap.name")).toBe(input(blue, "spec.template.spec.volumes.0.configMap.name"));
  });

  it("gives green's pods nginx's network flows: from the VPC, to the app, admitted by the app", () => {
    const np = (name: string) => one(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", `workloads-netpol-${name}`);
    const green = { matchLabels: { "app.kubernetes.io/name": "nginx-green", "app.kubernetes.io/part-of": "edgestack" } };
    expect(input(np("nginx-green-from-vpc"), "spec.podSelector")).toEqual(green);
    expect(input(np("nginx-green-to-app"), "spec.podSelector")).toEqual(green);
    expect(input(np("app-from-nginx"), "spec.ingress.0.from")).toContainEqual({ podSelector: green });
  });
});
