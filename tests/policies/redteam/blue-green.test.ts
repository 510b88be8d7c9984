/**
 * The red team on the prod plan with blue/green on (90/10, the NLB on blue): every mutation of the
 * derived (checkov/parliament) and hand-written catalogues that targets blue's nginx tier or its
 * target groups is applied to green's instead, and must be caught on green's resource; then the
 * attacks specific to a second tier (its NodePorts, its weighted forward, a drained colour that
 * still takes traffic).
 */
import { runStack, toPlan } from "../../../offline/engine/engine";
import { planEvaluator } from "./evaluate";
import type { PlanResource } from "../../../offline/plan/format";
import { derivedKey, derivedMutations } from "./derived";
import { effectMutations } from "./effects";
import { mutations, Mutation, Plan } from "./mutations";
import pendingDerived from "./pending-derived.json";

const TG = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** blue's resource → green's, for the coloured resources (target groups by type: the NLB's listeners share their names). */
const GREEN: Record<string, { green: string; types?: string[] }> = {
  "workloads-nginx": { green: "workloads-nginx-green" },
  "alb-nginx": { green: "alb-nginx-green", types: [TG] },
  "nlb-tls": { green: "nlb-tls-green", types: [TG] },
  "nlb-http": { green: "nlb-http-green", types: [TG] },
};

/** A plan whose look-ups of blue's coloured resources land on green's; `mapped` says whether any did. */
class GreenPlan extends Plan {
  mapped = false;
  override get(name: string, type?: string): PlanResource {
    const g = GREEN[name];
    if (g && (g.types === undefined || (type !== undefined && g.types.includes(type)))) {
      this.mapped = true;
      return super.get(g.green, type);
    }
    return super.get(name, type);
  }
}

let base: PlanResource[];
beforeAll(async () => {
  const run = await runStack({
    stack: "prod",
    config: { "edgestack:nginxBlueGreen": "true", "edgestack:albBlueWeight": "90", "edgestack:albGreenWeight": "10", "edgestack:nginxGreenImage": "nginxinc/nginx-unprivileged:1.31.0-alpine" },
  });
  base = toPlan(run.resources);
}, 180_000);

let evaluate: ReturnType<typeof planEvaluator>;
beforeAll(() => {
  evaluate = planEvaluator(base);
});

async function caughtOn(plan: Plan, expectName: string): Promise<string[]> {
  const found = (await evaluate(plan.resources)).filter((v) => v.enforcement === "mandatory" && !/failed on|during preview/.test(v.message));
  return found.filter((v) => v.resource?.name === expectName).map((v) => v.policy);
}

it("the unmutated blue/green prod plan has no violation", async () => {
  expect(await evaluate(base, { all: true })).toEqual([]);
});

it("every catalogue mutation of blue's nginx tier or target groups, applied to green's, is caught on green's resource", async () => {
  const pending = new Set(pendingDerived.pending.map(derivedKey));
  const catalogue: Mutation[] = [...mutations, ...effectMutations, ...derivedMutations.filter((m) => !pending.has(derivedKey(m)))];
  const missed: string[] = [];
  let applied = 0;
  for (const m of catalogue) {
    if (!(m.expect in GREEN)) continue;
    const plan = new GreenPlan(JSON.parse(JSON.stringify(base)));
    m.apply(plan);
    // A mutation of a resource that has no colour (the NLB's listener named like its target group) stays on blue's.
    if (!plan.mapped) continue;
    applied++;
    if ((await caughtOn(plan, GREEN[m.expect].green)).length === 0) missed.push(`${m.area}: ${m.title}`);
  }
  expect(applied).toBeGreaterThan(20);
  expect(missed).toEqual([]);
}, 300_000);

const greenAttacks: Mutation[] = [
  {
    area: "sg",
    title: "green's HTTP NodePort opened on the nodes to the world instead of the ALB's security group",
    expect: "lb-targets-alb-30083",
    apply: (p) => Object.assign(p.inputs("lb-targets-alb-30083"), { referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" }),
  },
  {
    area: "sg",
    title: "green's proxy-protocol NodePort opened on the nodes to the VPC's range instead of the NLB's security group",
    expect: "lb-targets-nlb-30084",
    apply: (p) => Object.assign(p.inputs("lb-targets-nlb-30084"), { referencedSecurityGroupId: undefined, cidrIpv4: "10.20.0.0/16" }),
  },
  {
    area: "sg",
    title: "blue's HTTP NodePort opened on the nodes through a prefix list",
    expect: "lb-targets-alb-30080",
    apply: (p) => Object.assign(p.inputs("lb-targets-alb-30080"), { referencedSecurityGroupId: undefined, prefixListId: "pl-0123456789abcdef0" }),
  },
  {
    area: "sg",
    title: "a node rule opening every port to the VPC's range (covers both colours' NodePorts)",
    expect: "nodes-from-vpc",
    apply: (p) => p.add({ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "nodes-from-vpc", parent: "cluster", inputs: { securityGroupId: p.id("cluster-node-sg"), ipProtocol: "-1", cidrIpv4: "10.20.0.0/16" } }),
  },
  {
    area: "lb",
    title: "a weighted forward to green without the origin header condition",
    expect: "alb-route-default",
    apply: (p) => (p.inputs("alb-route-default", RULE).conditions = p.inputs("alb-route-default", RULE).conditions.filter((c: { httpHeader?: unknown }) => !c.httpHeader)),
  },
  { area: "lb", title: "green's ALB target group without a health check", expect: "alb-nginx-green", apply: (p) => (p.inputs("alb-nginx-green", TG).healthCheck = { enabled: false }) },
  { area: "lb", title: "green's NLB target group without a health check", expect: "nlb-http-green", apply: (p) => delete p.inputs("nlb-http-green", TG).healthCheck },
  {
    area: "k8s",
    title: "green scaled to zero while it takes 10 % of the ALB's requests",
    expect: "workloads-nginx-green",
    apply: (p) => (p.inputs("workloads-nginx-green", DEPLOYMENT).spec.replicas = 0),
  },
  {
    area: "k8s",
    title: "green's pods privileged",
    expect: "workloads-nginx-green",
    apply: (p) => (p.inputs("workloads-nginx-green", DEPLOYMENT).spec.template.spec.containers[0].securityContext.privileged = true),
  },
];

it.each(greenAttacks.map((m) => [`${m.area}: ${m.title}`, m] as const))("%s is caught by a mandatory rule on the right resource", async (_t, m) => {
  const plan = new Plan(JSON.parse(JSON.stringify(base)));
  m.apply(plan);
  expect(await caughtOn(plan, m.expect)).not.toEqual([]);
});
