/**
 * The field's scanners over our plans. The dev and prod plans are exported as the peers read them (offline/export:
 * a Terraform plan JSON of the AWS resources, the Kubernetes manifests, every IAM document) and scanned once by
 * checkov (terraform_plan and kubernetes frameworks) and parliament. Every peer finding is either a violation our own
 * pack reports on the same resource too, or listed with its reason in policies/peers-allowlist.json. A canary plan
 * (one insecure change per exported type, tests/policies/peers/canaries.ts) is scanned in the same checkov run and
 * each change must be reported, so a wrong type or attribute mapping cannot pass silently.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { allPolicies } from "../../../policies/rules";
import { iamDocuments } from "../../../offline/export/iam";
import { isKubernetesObject, toManifest, toManifests } from "../../../offline/export/kubernetes";
import { isTerraformExported, terraformAddress, toTerraformPlan } from "../../../offline/export/terraform";
import { loadPolicyConfig, withEnvironment } from "../../../offline/policy/config";
import { mockOutputs, parsePlanFile } from "../../../offline/policy/inputs";
import { runPolicies, Violation } from "../../../offline/policy/runner";
import type { PlanFile, PlanResource } from "../../../offline/plan/format";
import { checkovCatalogue, CatalogueEntry, CheckovRun, GENERIC_GRAPH_CHECK_TYPES, ParliamentFinding, runCheckov, runParliament } from "../../harness/peers";
import allowListJson from "../../../policies/peers-allowlist.json";
import { Plan } from "../redteam/mutations";
import { derivedMutations } from "../redteam/derived";
import { canaries } from "./canaries";

const root = path.resolve(__dirname, "../../..");
const STACKS = ["dev", "prod"] as const;
type Stack = (typeof STACKS)[number] | "canary";

interface AllowEntry {
  peer: "checkov" | "parliament";
  check: string;
  stacks: string[];
  resources: string[];
  reason: string;
}
const allowList = allowListJson as { findings: AllowEntry[] };

/** A peer finding, keyed by our plan's logical resource name. */
interface Finding {
  stack: Stack;
  peer: "checkov" | "parliament";
  check: string;
  resource: string;
  detail: string;
}
const key = (f: Pick<Finding, "stack" | "peer" | "check" | "resource">) => `${f.stack} ${f.peer} ${f.check} ${f.resource}`;

async function planOf(stack: string): Promise<PlanFile> {
  const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as PlanFile;
}

/** Exported name (Terraform address, Kubernetes Kind.namespace.name) → our logical name. */
function exportedNames(resources: PlanResource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) {
    if (isTerraformExported(r)) out.set(terraformAddress(r)!, r.name);
    if (isKubernetesObject(r)) {
      const m = toManifest(r) as { kind: string; metadata: { name: string; namespace?: string } };
      out.set(`${m.kind}.${m.metadata.namespace ?? "default"}.${m.metadata.name}`, r.name);
    }
  }
  return out;
}

function writeExport(dir: string, resources: PlanResource[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "tfplan.json"), JSON.stringify(toTerraformPlan({ resources })));
  writeFileSync(path.join(dir, "manifests.yaml"), toManifests({ resources }));
}

async function ourViolations(stack: string, plan: PlanFile): Promise<Violation[]> {
  const parsed = parsePlanFile(JSON.stringify(plan), `plan ${stack}`);
  const { config } = loadPolicyConfig({ stack, policiesDir: path.join(root, "policies"), policies: allPolicies });
  return runPolicies({ stack, resources: parsed.resources, policies: allPolicies, config: withEnvironment(config, allPolicies, parsed.environment), outputsOf: mockOutputs });
}

describe("peer scanners (checkov, parliament) over the dev and prod plans", () => {
  const plans = {} as Record<(typeof STACKS)[number], PlanFile>;
  const ours = {} as Record<(typeof STACKS)[number], Violation[]>;
  const findings: Finding[] = [];
  let checkov: CheckovRun;
  let parliament: ParliamentFinding[];
  let canaryPlan: PlanResource[];
  let catalogue: CatalogueEntry[];
  let scanned: Map<string, Map<string, string>>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "edgestack-peers-"));
    const [dev, prod] = await Promise.all(STACKS.map(planOf));
    plans.dev = dev;
    plans.prod = prod;
    const canary = new Plan(JSON.parse(JSON.stringify(prod.resources)));
    for (const c of canaries) c.apply(canary);
    canaryPlan = canary.resources;

    scanned = new Map();
    for (const stack of STACKS) {
      writeExport(path.join(dir, stack), plans[stack].resources);
      scanned.set(stack, exportedNames(plans[stack].resources));
    }
    writeExport(path.join(dir, "canary"), canaryPlan);
    scanned.set("canary", exportedNames(canaryPlan));

    const docs = STACKS.flatMap((stack) => iamDocuments(plans[stack]).map((d, i) => ({ stack, i, ...d })));
    const unreadable = docs.filter((d) => d.document === undefined);
    if (unreadable.length > 0) throw new Error(`IAM documents parliament cannot read: ${unreadable.map((d) => `${d.stack} ${d.resource.name} ${d.path}: ${d.error}`).join("; ")}`);

    [checkov, parliament, catalogue] = await Promise.all([
      runCheckov(dir),
      runParliament(docs.map((d) => ({ id: `${d.stack}#${d.i}`, document: d.document }))),
      checkovCatalogue(),
      ...STACKS.map(async (stack) => (ours[stack] = await ourViolations(stack, plans[stack]))),
    ]);

    for (const r of checkov.results) {
      if (r.result !== "failed") continue;
      const stack = r.file.split("/").filter(Boolean)[0] as Stack;
      const name = scanned.get(stack)?.get(r.resource);
      if (name === undefined) throw new Error(`checkov reported ${r.checkId} on ${r.resource} in ${r.file}, which names no resource of the ${stack} plan`);
      findings.push({ stack, peer: "checkov", check: r.checkId, resource: name, detail: r.checkName });
    }
    for (const f of parliament) {
      const [stack, i] = f.id.split("#");
      const doc = docs.find((d) => d.stack === stack && d.i === Number(i))!;
      findings.push({ stack: stack as Stack, peer: "parliament", check: f.issue, resource: doc.resource.name, detail: `${doc.path}: ${f.title} ${JSON.stringify(f.detail)}` });
    }
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("checkov parses every file and evaluates every exported type its resource checks name", () => {
    for (const [framework, s] of Object.entries(checkov.summary)) expect({ framework, parsingErrors: s.parsingErrors }).toEqual({ framework, parsingErrors: 0 });
    const resourceCheckTypes = new Set(catalogue.filter((c) => !c.graph).flatMap((c) => c.types));
    for (const stack of STACKS) {
      const exportedTypes = new Set([...scanned.get(stack)!.keys()].map((a) => a.split(".")[0]));
      const evaluated = new Set(checkov.results.filter((r) => r.file.startsWith(`/${stack}/`)).map((r) => r.resource.split(".")[0]));
      const expected = [...exportedTypes].filter((t) => resourceCheckTypes.has(t));
      expect(expected.filter((t) => !evaluated.has(t))).toEqual([]);
      expect(expected.length).toBeGreaterThan(20);
    }
  });

  it("parliament reads every IAM document of both plans", () => {
    for (const stack of STACKS) {
      const docs = iamDocuments(plans[stack]);
      expect(docs.filter((d) => d.resource.type === "aws:iam/role:Role").length).toBeGreaterThanOrEqual(2);
      expect(docs.some((d) => d.resource.type === "aws:s3/bucketPolicy:BucketPolicy")).toBe(true);
    }
  });

  it("our pack reports nothing on the unmutated plans (the peer findings below are the peers' alone)", () => {
    for (const stack of STACKS) expect(ours[stack].filter((v) => v.enforcement === "mandatory")).toEqual([]);
  });

  it.each(STACKS)("%s: every peer finding is a violation of our pack too or allow-listed with its reason", (stack) => {
    const oursOn = new Set(ours[stack].map((v) => v.resource?.name));
    const allowed = (f: Finding) => allowList.findings.some((a) => a.peer === f.peer && a.check === f.check && a.stacks.includes(stack) && a.resources.includes(f.resource));
    const unexplained = findings.filter((f) => f.stack === stack && !oursOn.has(f.resource) && !allowed(f));
    expect(unexplained.map((f) => `${key(f)}: ${f.detail}`)).toEqual([]);
  });

  it("the allow-list holds only entries that still match a finding, each with a reason", () => {
    const seen = new Set(findings.map(key));
    for (const a of allowList.findings) {
      expect(a.reason.length).toBeGreaterThan(30);
      for (const stack of a.stacks) {
        for (const resource of a.resources) {
          const k = key({ stack: stack as Stack, peer: a.peer, check: a.check, resource });
          expect({ entry: k, matched: seen.has(k) }).toEqual({ entry: k, matched: true });
        }
      }
    }
  });

  it("every checkov check that applies to a type we plan has a derived red-team mutation, an allow-listed finding or a reason", () => {
    const types = new Set(STACKS.flatMap((s) => [...scanned.get(s)!.keys()].map((a) => a.split(".")[0])));
    const applicable = catalogue.filter((c) => c.types.length < GENERIC_GRAPH_CHECK_TYPES && c.types.some((t) => types.has(t)));
    const derived = new Set(derivedMutations.map((m) => m.check));
    const allowListed = new Set(allowList.findings.filter((a) => a.peer === "checkov").map((a) => a.check));
    const unaccounted = applicable.filter((c) => !derived.has(c.id) && !allowListed.has(c.id) && !CONTROL_PLANE_FLAG.test(c.name) && !NOT_DERIVED[c.id]);
    expect(unaccounted.map((c) => `${c.id} ${c.types.filter((t) => types.has(t)).join(",")}: ${c.name}`)).toEqual([]);
    expect(applicable.length).toBeGreaterThan(150);
    for (const [id, reason] of Object.entries(NOT_DERIVED)) expect({ id, applicable: applicable.some((c) => c.id === id), reason: reason.length > 20 }).toEqual({ id, applicable: true, reason: true });
  });

  describe("canaries: one insecure change per exported type, each reported by checkov", () => {
    it.each(canaries.map((c) => [`${c.type}: ${c.title} (${c.check})`, c] as const))("%s", (_t, c) => {
      const name = (n: string | ((p: Plan) => string), resources: PlanResource[]) => (typeof n === "string" ? n : n(new Plan(resources)));
      const on = (stack: Stack, resource: string) => checkov.results.filter((r) => r.file.startsWith(`/${stack}/`) && r.checkId === c.check && r.resource === resource).map((r) => r.result);
      const mutated = name(c.resource, canaryPlan);
      const base = name(c.baseResource ?? c.resource, plans.prod.resources);
      expect({ canary: mutated, results: on("canary", mutated) }).toEqual({ canary: mutated, results: ["failed"] });
      expect({ prod: base, results: on("prod", base) }).toEqual({ prod: base, results: ["passed"] });
    });

    it("every exported type that some checkov check reads has a canary", () => {
      const types = new Set([...STACKS.flatMap((s) => [...scanned.get(s)!.keys()].map((a) => a.split(".")[0]))]);
      const read = new Set(catalogue.filter((c) => c.types.length < GENERIC_GRAPH_CHECK_TYPES).flatMap((c) => c.types));
      const withCanary = new Set(canaries.flatMap((c) => [c.type, ...(c.alsoProves ?? [])]));
      const missing = [...types].filter((t) => read.has(t) && !withCanary.has(t) && !TYPES_WITHOUT_CANARY[t]);
      expect(missing).toEqual([]);
      for (const [t, reason] of Object.entries(TYPES_WITHOUT_CANARY)) expect({ t, read: read.has(t), reason: reason.length > 20 }).toEqual({ t, read: true, reason: true });
    });
  });
});

/** checkov's checks of control-plane flags (kube-apiserver, kubelet, etcd, controller-manager, scheduler command lines). */
const CONTROL_PLANE_FLAG = /^Ensure that (the --|the admission control plugin|the RotateKubeletServerCertificate|encryption providers|the API Server only|the Kubelet only)/;

/**
 * Checks of the installed catalogue that apply to a type we plan but have no derived red-team mutation, with why.
 * (Checks whose finding the base plans already carry are accounted for by the allow-list.)
 */
const NOT_DERIVED: Record<string, string> = {
  CKV_K8S_45: "Tiller (Helm v2) reachable in the cluster: a property of a Tiller deployment; the Tiller deployment itself is derived (CKV_K8S_34)",
  CKV2_AWS_1: "network ACLs: the stack uses the VPC's default ACL and filters with security groups; a mutation would add a resource the check wants, not remove a protection",
  CKV2_AWS_35: "reads route.instance_id (NAT instances); the bridged provider's route table no longer has an instance target, so no change of ours expresses it",
  CKV2_AWS_68: "SageMaker notebook roles: no SageMaker in the stack (the check only names aws_iam_role as the connected type)",
  CKV2_AWS_7: "EMR cluster security groups: no EMR in the stack (the check only names aws_security_group as the connected type)",
  CKV2_AWS_76: "a web ACL attached to an ALB: the stack attaches its ACL to CloudFront only (the ALB answers CloudFront alone)",
  CKV2_AWS_77: "a web ACL attached to API Gateway: no API Gateway in the stack",
  CKV2_AWS_78: "a web ACL attached to AppSync: no AppSync in the stack",
  CKV_AWS_143: "S3 Object Lock can only be enabled when a bucket is created and makes objects undeletable; none of our buckets hold records that need WORM retention",
  CKV_AWS_233: "reads Terraform's lifecycle create_before_destroy meta-argument, which a Pulumi plan has no counterpart for (Pulumi replaces create-before-delete by default)",
};

/**
 * Exported types some checkov check names but no canary can prove, with why. Each is still read by the scanner (the
 * test above checks the catalogue still names it).
 */
const TYPES_WITHOUT_CANARY: Record<string, string> = {
  aws_route53_zone:
    "planned in dev only (prod delegates to an existing zone); its two checks (CKV2_AWS_38 DNSSEC, CKV2_AWS_39 query logging) already report the dev zone, so both see it",
};
