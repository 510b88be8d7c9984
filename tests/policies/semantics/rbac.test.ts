import { aggregatedRoles, broadSubjects, builtInRoleRisk, roleRisks, ruleGrants, serviceAccountSubject, writesOnlyOwnBinding } from "../../../policies/semantics/rbac";

describe("Kubernetes RBAC risk", () => {
  it("matches verbs, resources and groups with wildcards", () => {
    expect(ruleGrants({ apiGroups: [""], resources: ["secrets"], verbs: ["*"] }, "get", "secrets")).toBe(true);
    expect(ruleGrants({ apiGroups: ["*"], resources: ["*"], verbs: ["list"] }, "list", "secrets")).toBe(true);
    expect(ruleGrants({ apiGroups: ["apps"], resources: ["secrets"], verbs: ["get"] }, "get", "secrets")).toBe(false);
    expect(ruleGrants({ apiGroups: [""], resources: ["pods/*"], verbs: ["create"] }, "create", "pods/exec")).toBe(true);
  });

  it.each([
    [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, /every verb on every resource/],
    [{ apiGroups: [""], resources: ["secrets"], verbs: ["watch"] }, /reads Secrets/],
    [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }, /execs into pods/],
    [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }, /nodes\/proxy/],
    [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["escalate"] }, /escalates or binds/],
    [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }, /impersonates/],
    [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] }, /writes role bindings/],
    [{ apiGroups: [""], resources: ["pods"], verbs: ["update", "patch"] }, /rewrites running pods/],
    [{ apiGroups: ["*"], resources: ["pods"], verbs: ["patch"] }, /rewrites running pods/],

    [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }, /every verb \(\*\) on deployments/],
    [{ apiGroups: [""], resources: ["pods", "secrets"], verbs: ["deletecollection"] }, /deletes whole collections of pods, secrets/],
    [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["delete"] }, /deletes NetworkPolicies/],
    [{ apiGroups: ["*"], resources: ["networkpolicies"], verbs: ["patch"] }, /rewrites or deletes NetworkPolicies/],
    [{ apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["delete"] }, /deletes events/],
    [{ apiGroups: [""], resources: ["events"], verbs: ["deletecollection"] }, /deletes events/],
    [{ apiGroups: [""], resources: ["configmaps"], verbs: ["patch"] }, /ConfigMaps in kube-system/],
    [{ apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["create"] }, /writes EndpointSlices/],
    [{ apiGroups: [""], resources: ["endpoints"], verbs: ["patch"] }, /writes Endpoints/],
  ])("flags %j", (rule, why) => {
    expect(roleRisks([rule]).join("; ")).toMatch(why);
  });

  it("leaves read-only access to ordinary resources alone", () => {
    expect(roleRisks([{ apiGroups: [""], resources: ["configmaps", "pods", "services"], verbs: ["get", "list", "watch"] }, { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }])).toEqual([]);
  });

  it("judges ConfigMap writes by where the role reaches: kube-system or cluster-wide, not another namespace", () => {
    const write = { apiGroups: [""], resources: ["configmaps"], verbs: ["update"] };
    expect(roleRisks([write], "kube-system").join("; ")).toMatch(/ConfigMaps in kube-system/);
    expect(roleRisks([write], undefined).join("; ")).toMatch(/ConfigMaps in kube-system/);
    expect(roleRisks([write], "edgestack-system")).toEqual([]);
    expect(roleRisks([{ ...write, verbs: ["get", "list"] }], "kube-system")).toEqual([]);
  });

  it("names subjects that are everyone", () => {
    expect(broadSubjects([{ kind: "Group", name: "system:authenticated" }, { kind: "Group", name: "system:serviceaccounts:edgestack" }, { kind: "User", name: "alice" }])).toEqual(["system:authenticated", "system:serviceaccounts:edgestack"]);
  });

  it("tells a role that keeps only its own binding current from one that writes bindings", () => {
    const own = { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings"], resourceNames: ["deployer"], verbs: ["get", "update", "patch"] };
    expect(writesOnlyOwnBinding([own], "deployer")).toBe(true);
    expect(writesOnlyOwnBinding([{ ...own, resourceNames: ["deployer", "other"] }], "deployer")).toBe(false);
    expect(writesOnlyOwnBinding([{ ...own, resourceNames: undefined }], "deployer")).toBe(false);
    expect(writesOnlyOwnBinding([{ ...own, verbs: ["*"] }], "deployer")).toBe(false);
    expect(writesOnlyOwnBinding([own, { apiGroups: ["*"], resources: ["clusterrolebindings"], verbs: ["patch"] }], "deployer")).toBe(false);
  });

  it("judges built-in cluster roles by what they grant, in a namespace too", () => {
    expect(builtInRoleRisk("edit", false)).toMatch(/reads the Secrets.*of the namespace/);
    expect(builtInRoleRisk("admin", true)).toMatch(/of every namespace/);
    expect(builtInRoleRisk("system:controller:clusterrole-aggregation-controller", false)).toMatch(/controller role/);
    expect(builtInRoleRisk("system:node", false)).toMatch(/control-plane role/);
    expect(builtInRoleRisk("system:something-new", false)).toMatch(/does not know/);
    expect(builtInRoleRisk("view", true)).toBeUndefined();
    expect(builtInRoleRisk("system:discovery", true)).toBeUndefined();
    expect(builtInRoleRisk("edgestack-deployer", true)).toBeUndefined();
  });

  it("reads a service account subject in both spellings", () => {
    expect(serviceAccountSubject({ kind: "ServiceAccount", name: "default", namespace: "edgestack" })).toEqual({ namespace: "edgestack", name: "default" });
    expect(serviceAccountSubject({ kind: "ServiceAccount", name: "ci" }, "tools")).toEqual({ namespace: "tools", name: "ci" });
    expect(serviceAccountSubject({ kind: "User", name: "system:serviceaccount:edgestack:default" })).toEqual({ namespace: "edgestack", name: "default" });
    expect(serviceAccountSubject({ kind: "User", name: "alice" })).toBeUndefined();
    expect(serviceAccountSubject({ kind: "Group", name: "system:serviceaccounts:edgestack" })).toBeUndefined();
  });
});

describe("aggregatedRoles", () => {
  it("finds the built-in roles a selector pulls in, whatever its spelling", () => {
    expect(aggregatedRoles([{ matchExpressions: [{ key: "kubernetes.io/bootstrapping", operator: "Exists" }] }])).toEqual(expect.arrayContaining(["cluster-admin", "admin", "edit"]));
    expect(aggregatedRoles([{ matchExpressions: [{ key: "edgestack.io/ops", operator: "DoesNotExist" }] }])).toContain("cluster-admin");
    expect(aggregatedRoles([{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-admin": "true" } }])).toEqual(["edit", "system:aggregate-to-admin"]);
  });
  it("finds nothing for a selector on the stack's own label", () => {
    expect(aggregatedRoles([{ matchLabels: { "edgestack.io/aggregate-to-ops": "true" } }])).toEqual([]);
  });
  it("matches declared roles by their labels", () => {
    const declared = new Map([["ops-secrets", { "edgestack.io/aggregate-to-ops": "true" }]]);
    expect(aggregatedRoles([{ matchLabels: { "edgestack.io/aggregate-to-ops": "true" } }], declared)).toEqual(["ops-secrets"]);
  });
});
