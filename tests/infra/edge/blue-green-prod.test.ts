import { allPolicies } from "../../../policies/rules";
import { fromCaptured, mockOutputs } from "../../../offline/policy/inputs";
import { runPolicies, Violation } from "../../../offline/policy/runner";
import { input, mockOutputsOf, ofType, one, runStack, StackRun } from "../../harness";

/**
 * Blue/green on the prod stack under mocks, the cutover finished: the ALB sends everything to green,
 * the NLB follows green, blue is scaled to zero. The policy pack passes on it (a drained colour is no
 * prod replica or PDB violation), and still catches blue at zero while it takes traffic.
 */

const TG = "aws:lb/targetGroup:TargetGroup";
const REGION = "us-east-1";
let run: StackRun;
let violations: Violation[];
const policies = (resources: StackRun["resources"]) => runPolicies({ stack: "prod", project: run.project, resources: fromCaptured(resources), policies: allPolicies, outputsOf: mockOutputs });

beforeAll(async () => {
  run = await runStack({
    stack: "prod",
    config: {
      "edgestack:nginxBlueGreen": "true",
      "edgestack:albBlueWeight": "0",
      "edgestack:albGreenWeight": "100",
      "edgestack:nlbColor": "green",
      "edgestack:nginxReplicas": "0",
      "edgestack:nginxGreenReplicas": "3",
    },
  });
  violations = await policies(run.resources);
}, 180_000);
const arnOf = (name: string) => mockOutputsOf(run, TG, name, REGION).outputs.arn as string;

it("forwards 0/100 at the ALB and points both NLB listeners at green's target groups", () => {
  for (const r of ofType(run, "aws:lb/listenerRule:ListenerRule").filter((x) => input(x, "actions.0.type") === "forward")) {
    expect(input(r, "actions.0.forward.targetGroups")).toEqual([
      { arn: arnOf("alb-nginx"), weight: 0 },
      { arn: arnOf("alb-nginx-green"), weight: 100 },
    ]);
  }
  expect(input(one(run, "aws:lb/listener:Listener", "nlb-tls"), "defaultActions.0.targetGroupArn")).toBe(arnOf("nlb-tls-green"));
  expect(input(one(run, "aws:lb/listener:Listener", "nlb-tcp-80"), "defaultActions.0.targetGroupArn")).toBe(arnOf("nlb-http-green"));
});

it("keeps blue's Deployment (0 replicas) and its target groups, so rolling back is a config change", () => {
  expect(input(one(run, "kubernetes:apps/v1:Deployment", "workloads-nginx"), "spec.replicas")).toBe(0);
  expect(input(one(run, "kubernetes:apps/v1:Deployment", "workloads-nginx-green"), "spec.replicas")).toBe(3);
  for (const name of ["alb-nginx", "nlb-tls", "nlb-http"]) expect(input(one(run, TG, name), "healthCheck.enabled")).toBe(true);
});

it("passes every mandatory policy", () => {
  expect(violations.filter((v) => v.enforcement === "mandatory")).toEqual([]);
});

it("is caught when the drained colour still gets a share of the ALB's requests", async () => {
  const mutated = JSON.parse(JSON.stringify(run.resources)) as StackRun["resources"];
  const rule = mutated.find((r) => r.name === "alb-route-default")!;
  const groups = (rule.inputs.actions as { forward: { targetGroups: { weight: number }[] } }[])[0].forward.targetGroups;
  groups[0].weight = 10;
  groups[1].weight = 90;
  const found = (await policies(mutated)).filter((v) => v.enforcement === "mandatory").map((v) => `${v.policy}: ${v.resource?.name}`);
  expect(found).toEqual(expect.arrayContaining(["k8s-prod-replicas: workloads-nginx", "k8s-pdb-effective-prod: workloads-nginx"]));
});
