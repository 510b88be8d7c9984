import { METADATA_ADDRESSES } from "../../../policies/semantics/cidr";
import { grantsTo, namespaceByForgeableLabel, NetworkPolicyView, policiesSelecting, portsOpened, publicGrants, selectorMatches, selectsAnyNamespace } from "../../../policies/semantics/netpol";

const app = { namespace: "edge", labels: { app: "api", tier: "backend" } };
const deny: NetworkPolicyView = { name: "deny", namespace: "edge", podSelector: {}, policyTypes: ["Ingress", "Egress"] };
const egress = (name: string, to: object[] | undefined, podSelector = {}): NetworkPolicyView => ({ name, namespace: "edge", podSelector, policyTypes: ["Egress"], egress: [{ ...(to ? { to } : {}), ports: [{ port: 443 }] }] });

describe("NetworkPolicy reachability", () => {
  it("matches labels and expressions", () => {
    expect(selectorMatches({ matchLabels: { app: "api" } }, app.labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] }, app.labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["backend"] }] }, app.labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "x", operator: "DoesNotExist" }] }, app.labels)).toBe(true);
    expect(selectorMatches(undefined, app.labels)).toBe(false);
  });

  it("a pod no policy selects is unrestricted; policies of other namespaces don't apply", () => {
    expect(grantsTo(app, [], "egress", METADATA_ADDRESSES)).toBe("unrestricted");
    expect(policiesSelecting(app, [{ ...deny, namespace: "other" }], "egress")).toEqual([]);
  });

  it("combines policies: one that opens the metadata address is enough", () => {
    const open = egress("wide", [{ ipBlock: { cidr: "169.254.0.0/16" } }]);
    expect(grantsTo(app, [deny], "egress", METADATA_ADDRESSES)).toEqual([]);
    expect(grantsTo(app, [deny, open], "egress", METADATA_ADDRESSES)).toEqual([{ policy: "wide", what: "ipBlock 169.254.0.0/16" }]);
    expect(grantsTo(app, [deny, egress("world", [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } }])], "egress", METADATA_ADDRESSES)).toEqual([]);
    // The metadata service excepted alone leaves the Pod Identity agent (169.254.170.23) open.
    expect(grantsTo(app, [deny, egress("world", [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }])], "egress", METADATA_ADDRESSES)).toHaveLength(1);
    expect(grantsTo(app, [deny, egress("agent", [{ ipBlock: { cidr: "169.254.170.23/32" } }])], "egress", METADATA_ADDRESSES)).toHaveLength(1);
    expect(grantsTo(app, [deny, egress("any", undefined)], "egress", METADATA_ADDRESSES)).toHaveLength(1);
    expect(grantsTo(app, [deny, egress("v6", [{ ipBlock: { cidr: "fd00:ec2::/64" } }])], "egress", METADATA_ADDRESSES)).toHaveLength(1);
  });

  it("finds grants to a broad share of the internet or every pod everywhere", () => {
    expect(publicGrants(app, [deny, egress("halves", [{ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } }])], "egress")).toHaveLength(2);
    expect(publicGrants(app, [deny, egress("pods", [{ namespaceSelector: {} }])], "egress")).toEqual([{ policy: "pods", what: "every pod of every namespace" }]);
    expect(publicGrants(app, [deny, egress("api", [{ ipBlock: { cidr: "203.0.113.10/32" } }])], "egress")).toEqual([]);
    expect(publicGrants(app, [deny, egress("other", [{ ipBlock: { cidr: "0.0.0.0/0" } }], { matchLabels: { app: "web" } })], "egress")).toEqual([]);
  });

  it("counts ports: none listed, a port-less entry, or a wide range open everything", () => {
    expect(portsOpened(undefined).all).toBe(true);
    expect(portsOpened([{ protocol: "TCP" }]).all).toBe(true);
    expect(portsOpened([{ port: 1, endPort: 65535 }]).all).toBe(true);
    expect(portsOpened([{ port: 8080 }, { port: 8443, endPort: 8444 }])).toEqual({ all: false, count: 3, why: undefined });
  });

  it("takes a namespace selector that only excludes, or asks for a label every namespace has, for every namespace", () => {
    expect(selectsAnyNamespace({})).toBe(true);
    expect(selectsAnyNamespace({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] })).toBe(true);
    expect(selectsAnyNamespace({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-public"] }] })).toBe(true);
    expect(selectsAnyNamespace({ matchExpressions: [{ key: "edgestack.io/untrusted", operator: "DoesNotExist" }] })).toBe(true);
    expect(selectsAnyNamespace({ matchLabels: { "kubernetes.io/metadata.name": "monitoring" } })).toBe(false);
    expect(selectsAnyNamespace({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring"] }] })).toBe(false);
    expect(selectsAnyNamespace({ matchExpressions: [{ key: "team", operator: "Exists" }] })).toBe(false);
    expect(selectsAnyNamespace(undefined)).toBe(false);
    const nginxAnywhere = egress("spoofable", [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-public"] }] }, podSelector: { matchLabels: { app: "nginx" } } }]);
    expect(publicGrants(app, [deny, nginxAnywhere], "egress")).toHaveLength(1);
  });
});

describe("namespaceByForgeableLabel", () => {
  it.each([
    [{ matchLabels: { "edgestack.io/team": "observability" } }, true],
    [{ matchExpressions: [{ key: "team", operator: "In", values: ["obs"] }] }, true],
    [{ matchExpressions: [{ key: "team", operator: "Exists" }] }, true],
    [{ matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, false],
    [{ matchLabels: { "kubernetes.io/metadata.name": "monitoring", team: "obs" } }, false],
    [{ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring"] }] }, false],
    [{}, false],
    [undefined, false],
  ])("%j: %s", (sel, forgeable) => {
    expect(namespaceByForgeableLabel(sel as never)).toBe(forgeable);
  });

  it("reports a peer chosen by such a label as a public grant", () => {
    const p: NetworkPolicyView = { name: "metrics", namespace: "edge", podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "obs" } }, podSelector: { matchLabels: { scraper: "true" } } }] }] as never };
    expect(publicGrants(app, [p], "ingress")).toEqual([expect.objectContaining({ policy: "metrics", what: expect.stringMatching(/a label any namespace's owner can set/) })]);
    const named: NetworkPolicyView = { ...p, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { scraper: "true" } } }] }] as never };
    expect(publicGrants(app, [named], "ingress")).toEqual([]);
  });
});
