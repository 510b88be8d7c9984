import { broadSubjects, roleRisks, ruleGrants, writesOnlyOwnBinding } from "../../../policies/semantics/rbac";

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
  ])("flags %j", (rule, why) => {
    expect(roleRisks([rule]).join("; ")).toMatch(why);
  });

  it("leaves read-only access to ordinary resources alone", () => {
    expect(roleRisks([{ apiGroups: [""], resources: ["configmaps", "pods", "services"], verbs: ["get", "list", "watch"] }, { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }])).toEqual([]);
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
});
