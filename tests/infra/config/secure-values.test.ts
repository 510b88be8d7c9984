import * as pulumi from "@pulumi/pulumi";
import { containsSecureValue, secretFragments, secureValueTransformation } from "../../../infra/config/secure-values";
import { isSecretInput, runStack, StackRun } from "../../harness";

/** A value set with `pulumi config set --secret` stays secret in every resource input that carries it. */

describe("containsSecureValue", () => {
  it("finds a secure value inside strings, lists and objects, and nothing else", () => {
    const secrets = ["s3cr3t-owner"];
    expect(containsSecureValue({ tags: { Owner: "s3cr3t-owner" } }, secrets)).toBe(true);
    expect(containsSecureValue(["a", { b: ["prefix-s3cr3t-owner-suffix"] }], secrets)).toBe(true);
    expect(containsSecureValue({ tags: { Owner: "platform-team" }, n: 3, flag: true }, secrets)).toBe(false);
  });
});

describe("secretFragments: a structured value set with --secret is used element by element", () => {
  it("looks for the whole value, each leaf string, and each `label:rest` element without its label", () => {
    const hook = "https://events.example.com/integration/K3Y-77aa/enqueue";
    const fragments = secretFragments(JSON.stringify([`https:${hook}`, "email:oncall@example.com"]));
    expect(fragments).toEqual(expect.arrayContaining([`https:${hook}`, hook, "email:oncall@example.com", "oncall@example.com"]));
    // What the program registers (the endpoint without its protocol label) is found.
    expect(containsSecureValue({ endpoint: hook }, fragments)).toBe(true);
    // Before: only the JSON text was searched for, which no input contains.
    expect(containsSecureValue({ endpoint: hook }, [JSON.stringify([`https:${hook}`])])).toBe(false);
  });

  it("keeps a plain value whole and ignores fragments too short to tell apart from ordinary text", () => {
    expect(secretFragments("s3cr3t-owner")).toEqual(["s3cr3t-owner"]);
    expect(secretFragments(JSON.stringify({ a: "x", b: "sms:1" }))).toEqual([JSON.stringify({ a: "x", b: "sms:1" })]);
    expect(secretFragments("")).toEqual([]);
  });
});

describe("secureValueTransformation (the program's stack transformation under the CLI)", () => {
  it("marks secret each custom resource input that carries a secure value, and only those", async () => {
    // What CustomResource.isInstance / ComponentResource.isInstance look at.
    const resource = { __pulumiResource: true, __pulumiCustomResource: true } as unknown as pulumi.CustomResource;
    const out = secureValueTransformation(["s3cr3t-owner"])({ resource, type: "aws:ec2/vpc:Vpc", name: "v", props: { tags: { Owner: "s3cr3t-owner" }, cidrBlock: "10.0.0.0/16" }, opts: {} });
    const secret = (v: unknown) => new Promise<boolean>((resolve) => void (pulumi.output(v) as unknown as { isSecret: Promise<boolean> }).isSecret.then(resolve));
    expect(await secret(out!.props.tags)).toBe(true);
    expect(await secret(out!.props.cidrBlock)).toBe(false);
    const component = { __pulumiResource: true, __pulumiComponentResource: true } as unknown as pulumi.ComponentResource;
    expect(secureValueTransformation(["s3cr3t-owner"])({ resource: component, type: "edgestack:x:Y", name: "c", props: {}, opts: {} })).toBeUndefined();
  });
});

describe("offline: a key the schema keeps plain, set with --secret (edgestack:owner)", () => {
  const OWNER = "team-7f3a-secret-owner";
  // A list set with --secret (a paging webhook whose path is the integration key).
  const HOOK = "https://events.example.com/integration/0c9d1e55aa/enqueue";
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack({
      stack: "dev",
      config: { "edgestack:owner": OWNER, "edgestack:alertPageSubscriptions": JSON.stringify([`https:${HOOK}`]) },
      secretKeys: ["edgestack:owner", "edgestack:alertPageSubscriptions"],
    });
  }, 180_000);

  it("is secret in every resource input that carries it", () => {
    // The AWS providers' default tags, and whatever else the program derives from the value.
    const carrying = run.resources.flatMap((r) => Object.entries(r.inputs).filter(([, v]) => JSON.stringify(v ?? null).includes(OWNER)).map(([k]) => ({ r, k })));
    expect(carrying.filter(({ r }) => r.type === "pulumi:providers:aws").length).toBeGreaterThanOrEqual(2);
    for (const { r, k } of carrying) expect({ resource: r.name, input: k, secret: isSecretInput(r, k) }).toEqual({ resource: r.name, input: k, secret: true });
  });

  it("a list set with --secret is secret where its elements are used (the page topic's webhook endpoint)", () => {
    const subscriptions = run.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.inputs.endpoint === HOOK);
    expect(subscriptions.length).toBeGreaterThanOrEqual(1);
    for (const r of subscriptions) expect({ resource: r.name, secret: isSecretInput(r, "endpoint") }).toEqual({ resource: r.name, secret: true });
  });

  it("leaves the inputs that do not carry it as they were", () => {
    const vpc = run.resources.find((r) => r.type === "aws:ec2/vpc:Vpc")!;
    expect(isSecretInput(vpc, "cidrBlock")).toBe(false);
    expect(vpc.inputs.cidrBlock).toMatch(/^10\./);
  });
});
