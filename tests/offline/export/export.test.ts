import { parseAllDocuments } from "yaml";
import { iamDocuments } from "../../../offline/export/iam";
import { toManifests } from "../../../offline/export/kubernetes";
import { blockListName, snakeCase, toTerraformPlan } from "../../../offline/export/terraform";
import type { PlanResource } from "../../../offline/plan/format";
import { computedOutputs } from "../../../offline/engine/outputs";

const res = (type: string, name: string, inputs: Record<string, unknown>, options?: PlanResource["options"]): PlanResource => ({ type, name, parent: null, inputs, ...(options ? { options } : {}) });
const values = (plan: ReturnType<typeof toTerraformPlan>, address: string) => plan.planned_values.root_module.resources.find((r) => r.address === address)!.values;
const expressions = (plan: ReturnType<typeof toTerraformPlan>, address: string) => plan.configuration.root_module.resources.find((r) => r.address === address)!.expressions;

describe("Terraform plan export", () => {
  it("names attributes in snake_case and repeatable blocks in the singular", () => {
    expect(snakeCase("ipv6CidrBlock")).toBe("ipv6_cidr_block");
    expect(snakeCase("serviceIpv4Cidr")).toBe("service_ipv4_cidr");
    expect(snakeCase("s3OriginConfig")).toBe("s3_origin_config");
    expect(["default_actions", "rules", "origins", "inline_policies", "aliases", "ingress", "block_device_mappings"].map(blockListName)).toEqual(["default_action", "rule", "origin", "inline_policy", "alias", "ingress", "block_device_mappings"]);
  });

  it("turns one-item blocks into lists, keeps maps as written, renames pluralised lists", () => {
    const plan = toTerraformPlan({
      resources: [
        res("aws:eks/cluster:Cluster", "c", { vpcConfig: { publicAccessCidrs: ["198.51.100.0/24"], endpointPublicAccess: true }, tags: { "kubernetes.io/role": "x" }, enabledClusterLogTypes: ["api"] }),
        res("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc", { clientIdLists: ["sts.amazonaws.com"] }),
        res("aws:lb/listener:Listener", "l", { defaultActions: [{ type: "redirect", redirect: { port: "443" } }] }),
      ],
    });
    expect(values(plan, "aws_eks_cluster.c")).toEqual({ vpc_config: [{ public_access_cidrs: ["198.51.100.0/24"], endpoint_public_access: true }], tags: { "kubernetes.io/role": "x" }, enabled_cluster_log_types: ["api"] });
    expect(values(plan, "aws_iam_openid_connect_provider.oidc")).toEqual({ client_id_list: ["sts.amazonaws.com"] });
    expect(values(plan, "aws_lb_listener.l")).toEqual({ default_action: [{ type: "redirect", redirect: [{ port: "443" }] }] });
  });

  it("records another resource's computed id as a reference, unknown in planned values, in its provider's region", () => {
    const bucketId = computedOutputs("aws:s3/bucket:Bucket", "logs", {}, "us-east-1").id;
    const albDns = computedOutputs("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application" }, "eu-west-1").outputs.dnsName as string;
    expect(albDns).toMatch(/eu-west-1/);
    const plan = toTerraformPlan({
      resources: [
        res("pulumi:providers:aws", "eu", { region: "eu-west-1" }),
        res("aws:s3/bucket:Bucket", "logs", {}),
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", { bucket: bucketId, blockPublicAcls: true }),
        res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application" }, { provider: "pulumi:providers:aws::eu" }),
        res("aws:route53/record:Record", "a", { name: "x.example.com", type: "A", aliases: [{ name: albDns, zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: false }] }),
      ],
    });
    expect(values(plan, "aws_s3_bucket_public_access_block.pab")).toEqual({ block_public_acls: true });
    expect(expressions(plan, "aws_s3_bucket_public_access_block.pab")).toEqual({ bucket: { references: ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"] } });
    expect(expressions(plan, "aws_route53_record.a")).toEqual({ alias: [{ name: { references: ["aws_lb.alb.id", "aws_lb.alb"] }, zone_id: { references: ["aws_lb.alb.id", "aws_lb.alb"] } }] });
  });

  it("refuses an AWS type without a Terraform mapping, naming it", () => {
    expect(() => toTerraformPlan({ resources: [res("aws:sqs/queue:Queue", "q", {})] })).toThrow(/no Terraform type for aws:sqs\/queue:Queue/);
  });
});

describe("Kubernetes manifest export", () => {
  it("writes one document per object, names unnamed ones, empties a masked Secret payload", () => {
    const text = toManifests({
      resources: [
        res("kubernetes:core/v1:Secret", "s", { metadata: { name: "db", namespace: "app" }, stringData: "[secret]" }),
        res("kubernetes:apps/v1:Deployment", "web", { metadata: { namespace: "app" }, spec: { replicas: 2 } }),
        res("aws:s3/bucket:Bucket", "b", {}),
      ],
    });
    expect(parseAllDocuments(text).map((d) => d.toJSON())).toEqual([
      { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "app" }, stringData: {} },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "app" }, spec: { replicas: 2 } },
    ]);
  });
});

describe("IAM document export", () => {
  it("lists trust, inline and resource policies with where they came from, and reports an unreadable one", () => {
    const doc = { Version: "2012-10-17", Statement: [] };
    const docs = iamDocuments({
      resources: [
        res("aws:iam/role:Role", "r", { assumeRolePolicy: JSON.stringify(doc), inlinePolicies: [{ name: "p", policy: JSON.stringify(doc) }] }),
        res("aws:s3/bucketPolicy:BucketPolicy", "bp", { policy: "[secret]" }),
      ],
    });
    expect(docs.map((d) => [d.resource.name, d.path, d.kind, d.document !== undefined])).toEqual([
      ["r", "assumeRolePolicy", "trust", true],
      ["r", "inlinePolicies[0].policy", "identity", true],
      ["bp", "policy", "resource", false],
    ]);
    expect(docs[2].error).toMatch(/not a JSON policy document/);
  });
});
