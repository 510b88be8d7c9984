import { parse } from "yaml";
import { clusterNameFromKubeconfig, renderKubeconfig } from "../../../infra/cluster/kubeconfig";

const input = {
  clusterName: "edgestack-dev",
  endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  certificateAuthorityData: "LS0tLS1CRUdJTg==",
  region: "eu-west-1",
};

describe("renderKubeconfig", () => {
  it("points at the cluster endpoint with its CA", () => {
    const doc = parse(renderKubeconfig(input));
    expect(doc.kind).toBe("Config");
    expect(doc["current-context"]).toBe("edgestack-dev");
    expect(doc.clusters).toEqual([{ name: "edgestack-dev", cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthorityData } }]);
    expect(doc.contexts).toEqual([{ name: "edgestack-dev", context: { cluster: "edgestack-dev", user: "edgestack-dev" } }]);
  });

  it("authenticates with `aws eks get-token` for this cluster and region, holding no credential", () => {
    const doc = parse(renderKubeconfig(input));
    const user = doc.users[0].user;
    expect(Object.keys(user)).toEqual(["exec"]);
    expect(user.exec.apiVersion).toBe("client.authentication.k8s.io/v1beta1");
    expect(user.exec.command).toBe("aws");
    expect(user.exec.args).toEqual(["eks", "get-token", "--cluster-name", "edgestack-dev", "--region", "eu-west-1", "--output", "json"]);
  });

  it("is pure: the same input renders the same text", () => {
    expect(renderKubeconfig({ ...input })).toBe(renderKubeconfig({ ...input }));
    expect(renderKubeconfig({ ...input, region: "us-east-1" })).not.toBe(renderKubeconfig(input));
  });

  it("refuses an endpoint that is not https and empty values", () => {
    expect(() => renderKubeconfig({ ...input, endpoint: "http://x" })).toThrow(/not an https URL/);
    expect(() => renderKubeconfig({ ...input, clusterName: "" })).toThrow(/cluster name is empty/);
    expect(() => renderKubeconfig({ ...input, certificateAuthorityData: "" })).toThrow(/certificate authority/);
  });

  it("round-trips through clusterNameFromKubeconfig", () => {
    expect(clusterNameFromKubeconfig(renderKubeconfig(input))).toBe("edgestack-dev");
  });
});

describe("clusterNameFromKubeconfig", () => {
  const kubeconfig = (current: string | undefined, contexts: object[], clusters: object[]) =>
    JSON.stringify({ apiVersion: "v1", kind: "Config", ...(current ? { "current-context": current } : {}), contexts, clusters, users: [] });

  it("takes the current context's cluster, unwrapping an EKS cluster ARN", () => {
    const arn = "arn:aws:eks:eu-west-1:123456789012:cluster/shared-platform";
    expect(clusterNameFromKubeconfig(kubeconfig("ctx", [{ name: "ctx", context: { cluster: arn } }], [{ name: arn, cluster: {} }]))).toBe("shared-platform");
    expect(clusterNameFromKubeconfig(kubeconfig("b", [{ name: "a", context: { cluster: "one" } }, { name: "b", context: { cluster: "two" } }], [{ name: "one" }, { name: "two" }]))).toBe("two");
  });

  it("falls back to the only cluster when there is no current context", () => {
    expect(clusterNameFromKubeconfig(kubeconfig(undefined, [], [{ name: "solo" }]))).toBe("solo");
  });

  it("names the config key and the problem", () => {
    expect(() => clusterNameFromKubeconfig("{ not yaml")).toThrow(/^edgestack:existingKubeconfig: is not valid YAML/);
    expect(() => clusterNameFromKubeconfig(kubeconfig("x", [], []))).toThrow(/has no clusters/);
    expect(() => clusterNameFromKubeconfig(kubeconfig(undefined, [], [{ name: "a" }, { name: "b" }]))).toThrow(/no current-context and more than one cluster/);
    expect(() => clusterNameFromKubeconfig(kubeconfig("missing", [], [{ name: "a" }]))).toThrow(/current-context "missing" is not defined/);
    expect(() => clusterNameFromKubeconfig(kubeconfig("c", [{ name: "c", context: { cluster: "ghost" } }], [{ name: "a" }]))).toThrow(/unknown cluster "ghost"/);
  });
});
