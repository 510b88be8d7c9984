import { newVpcNginxModel } from "../../harness/nginx";
import { colorTakesTraffic, nginxTierConfig, parseStackConfig } from "../../../infra/config/schema";
import { renderNginxConf } from "../../../infra/nginx";
import { configProblems } from "../../harness/config";

/** The blue/green keys of the nginx tier: typed, validated together, every error naming its key. */

// A created cluster needs its deploy role (ci-access.test.ts); these keys are tested beside it.
const base = { "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy" };
const on = { ...base, "edgestack:nginxBlueGreen": "true" };
const prod = { ...on, "edgestack:environment": "prod" };

describe("blue/green keys", () => {
  it("default to blue alone: 100/0, the NLB on blue, green sized like blue on the next three NodePorts", () => {
    const c = parseStackConfig(base, "dev");
    expect([c.nginxBlueGreen, c.albBlueWeight, c.albGreenWeight, c.nlbColor, c.nginxGreenImage, c.nginxGreenReplicas]).toEqual([false, 100, 0, "blue", "", 2]);
    expect([c.nginxGreenHttpNodePort, c.nginxGreenProxyProtocolNodePort, c.nginxGreenProxyProtocolHttpNodePort]).toEqual([30083, 30084, 30085]);
    expect(colorTakesTraffic(c, "blue")).toBe(true);
    expect(colorTakesTraffic(c, "green")).toBe(false);
  });

  it("accept every split that adds up to 100, either NLB colour and a green image", () => {
    for (const [blue, green] of [[100, 0], [90, 10], [50, 50], [1, 99], [0, 100]]) {
      const c = parseStackConfig({ ...on, "edgestack:albBlueWeight": String(blue), "edgestack:albGreenWeight": String(green), "edgestack:nlbColor": "green" }, "dev");
      expect([c.albBlueWeight, c.albGreenWeight, c.nlbColor]).toEqual([blue, green, "green"]);
    }
    expect(parseStackConfig({ ...on, "edgestack:nginxGreenImage": "nginxinc/nginx-unprivileged:1.31.0-alpine" }, "dev").nginxGreenImage).toBe("nginxinc/nginx-unprivileged:1.31.0-alpine");
  });

  it("refuse weights outside 0..100, not whole, or not adding up to 100, naming the keys", () => {
    expect(configProblems({ ...on, "edgestack:albGreenWeight": "101", "edgestack:albBlueWeight": "0" })).toEqual([expect.stringMatching(/^edgestack:albGreenWeight: 101 /)]);
    expect(configProblems({ ...on, "edgestack:albBlueWeight": "-10" })).toEqual([expect.stringMatching(/^edgestack:albBlueWeight: -10 /)]);
    expect(configProblems({ ...on, "edgestack:albBlueWeight": "12.5" })).toEqual([expect.stringMatching(/^edgestack:albBlueWeight: "12.5" must be a whole number/)]);
    expect(configProblems({ ...on, "edgestack:albBlueWeight": "90", "edgestack:albGreenWeight": "20" })).toEqual([
      "edgestack:albBlueWeight (90) + edgestack:albGreenWeight (20) = 110: the weights are percentages of the ALB's requests and must add up to 100",
    ]);
    // Both at 0 would send the ALB's requests nowhere.
    expect(configProblems({ ...on, "edgestack:albBlueWeight": "0", "edgestack:albGreenWeight": "0" })).toEqual([expect.stringMatching(/^edgestack:albBlueWeight \(0\) \+ edgestack:albGreenWeight \(0\) = 0/)]);
    expect(configProblems({ ...on, "edgestack:nlbColor": "both" })).toEqual([expect.stringMatching(/^edgestack:nlbColor: "both" /)]);
  });

  it("refuse the green keys without nginxBlueGreen, each by name", () => {
    expect(configProblems({ ...base, "edgestack:albGreenWeight": "10", "edgestack:albBlueWeight": "90" })).toEqual([
      expect.stringMatching(/^edgestack:albBlueWeight \(90\): only applies with edgestack:nginxBlueGreen true/),
      expect.stringMatching(/^edgestack:albGreenWeight \(10\): only applies with edgestack:nginxBlueGreen true/),
    ]);
    expect(configProblems({ ...base, "edgestack:nlbColor": "green" })).toEqual([expect.stringMatching(/^edgestack:nlbColor \("green"\): only applies/)]);
    expect(configProblems({ ...base, "edgestack:nginxGreenImage": "nginx:1.31.0" })).toEqual([expect.stringMatching(/^edgestack:nginxGreenImage \("nginx:1.31.0"\): only applies/)]);
    expect(configProblems({ ...base, "edgestack:nginxGreenHttpNodePort": "30090" })).toEqual([expect.stringMatching(/^edgestack:nginxGreenHttpNodePort \(30090\): only applies/)]);
  });

  it("let a colour that takes no traffic scale to 0, and refuse 0 replicas for one that does", () => {
    // green drained: weight 0, the NLB on blue.
    expect(parseStackConfig({ ...on, "edgestack:nginxGreenReplicas": "0" }, "dev").nginxGreenReplicas).toBe(0);
    // blue drained after the cutover.
    const after = { ...on, "edgestack:albBlueWeight": "0", "edgestack:albGreenWeight": "100", "edgestack:nlbColor": "green", "edgestack:nginxReplicas": "0" };
    expect(parseStackConfig(after, "dev").nginxReplicas).toBe(0);
    expect(configProblems({ ...on, "edgestack:albBlueWeight": "90", "edgestack:albGreenWeight": "10", "edgestack:nginxGreenReplicas": "0" })).toEqual([
      "edgestack:nginxGreenReplicas (0) must be at least 1 while green takes traffic (edgestack:albGreenWeight 10, edgestack:nlbColor blue): only a colour that takes no traffic may be scaled to 0",
    ]);
    // Weight 0 at the ALB but the NLB's colour: still serving.
    expect(configProblems({ ...on, "edgestack:nlbColor": "green", "edgestack:nginxGreenReplicas": "0" })).toEqual([expect.stringMatching(/^edgestack:nginxGreenReplicas \(0\) must be at least 1 while green takes traffic .*nlbColor green/)]);
    expect(configProblems({ ...after, "edgestack:nlbColor": "blue" })).toEqual([expect.stringMatching(/^edgestack:nginxReplicas \(0\) must be at least 1 while blue takes traffic/)]);
    // Without blue/green, blue is the only tier.
    expect(configProblems({ ...base, "edgestack:nginxReplicas": "0" })).toEqual([expect.stringMatching(/^edgestack:nginxReplicas \(0\) must be at least 1: only a colour/)]);
  });

  it("in prod, need two replicas for each serving colour and none for a drained one", () => {
    expect(configProblems({ ...prod, "edgestack:albBlueWeight": "50", "edgestack:albGreenWeight": "50", "edgestack:nginxGreenReplicas": "1" }, "prod")).toEqual([
      expect.stringMatching(/^edgestack:nginxGreenReplicas \(1\) must be at least 2 in prod while green takes traffic/),
    ]);
    expect(configProblems({ ...base, "edgestack:environment": "prod", "edgestack:nginxReplicas": "1" }, "prod")).toEqual([expect.stringMatching(/^edgestack:nginxReplicas \(1\) must be at least 2 in prod: one replica/)]);
    expect(parseStackConfig({ ...prod, "edgestack:nginxGreenReplicas": "0" }, "prod").nginxGreenReplicas).toBe(0);
  });

  it("refuse a green NodePort that another nginx NodePort already uses", () => {
    expect(configProblems({ ...on, "edgestack:nginxGreenHttpNodePort": "30080" })).toEqual(["edgestack:nginxGreenHttpNodePort (30080) must differ from edgestack:nginxHttpNodePort (30080)"]);
    expect(configProblems({ ...on, "edgestack:nginxGreenProxyProtocolHttpNodePort": "30084" })).toEqual([
      "edgestack:nginxGreenProxyProtocolHttpNodePort (30084) must differ from edgestack:nginxGreenProxyProtocolNodePort (30084)",
    ]);
    expect(configProblems({ ...on, "edgestack:nginxGreenHttpNodePort": "29999" })).toEqual([expect.stringMatching(/^edgestack:nginxGreenHttpNodePort: 29999 /)]);
  });
});

describe("nginxGreenOverrides: green's own nginx.conf", () => {
  const overrides = (entries: string[]) => ({ ...on, "edgestack:nginxGreenOverrides": JSON.stringify(entries) });

  it("gives green the overridden keys and blue the stack's; green's nginx.conf differs exactly there", () => {
    const c = parseStackConfig(overrides(["nginxLoadBalancing=random_two_least_conn", "proxyReadTimeoutSeconds=20"]), "dev");
    const green = nginxTierConfig(c, "green");
    expect([green.nginxLoadBalancing, green.proxyReadTimeoutSeconds]).toEqual(["random_two_least_conn", 20]);
    expect(nginxTierConfig(c, "blue")).toBe(c);
    const [blueConf, greenConf] = [c, green].map((x) => renderNginxConf(newVpcNginxModel(x)));
    expect(greenConf).toContain("random two least_conn;");
    expect(blueConf).not.toContain("random two least_conn;");
    expect(greenConf).toContain("proxy_read_timeout 20s;");
  });

  it("refuses keys that shape more than nginx.conf, bad values, a key set twice and values that break a cross-key rule on green, naming nginxGreenOverrides and the key", () => {
    const problems = (entries: string[]) => configProblems(overrides(entries)).join("\n");
    // The app's ping interval and the pods' grace period are shared by both colours.
    expect(problems(["websocketReadTimeoutSeconds=20"])).toMatch(/edgestack:nginxGreenOverrides \(green's nginx\): "websocketReadTimeoutSeconds" cannot differ between colours/);
    expect(problems(["terminationGracePeriodSeconds=90"])).toMatch(/"terminationGracePeriodSeconds" cannot differ between colours/);
    expect(problems(["nginxLoadBalancing=least_time"])).toMatch(/edgestack:nginxGreenOverrides \(green's nginx\): nginxLoadBalancing/);
    expect(problems(["proxyReadTimeoutSeconds=0"])).toMatch(/nginxGreenOverrides \(green's nginx\): proxyReadTimeoutSeconds/);
    expect(problems(["nginxMaxFails=2", "nginxMaxFails=3"])).toMatch(/"nginxMaxFails" is set twice/);
    // The timeout chain on green's values: its upstream keep-alive must stay below the app's.
    expect(problems(["nginxUpstreamKeepaliveSeconds=3000"])).toMatch(/nginxGreenOverrides \(green's nginx\): edgestack:nginxUpstreamKeepaliveSeconds \(3000\) must be less than edgestack:appKeepAliveSeconds/);
    expect(problems(["nginxLoadBalancing"])).toMatch(/nginxGreenOverrides/);
  });

  it("only applies with nginxBlueGreen", () => {
    expect(configProblems({ ...base, "edgestack:nginxGreenOverrides": '["nginxMaxFails=2"]' })).toEqual([expect.stringMatching(/^edgestack:nginxGreenOverrides .*only applies with edgestack:nginxBlueGreen true/)]);
  });
});
