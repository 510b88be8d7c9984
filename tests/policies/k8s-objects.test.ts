import { k8sObjectCases } from "./fixtures/k8s-objects";
import { runCases } from "./fixtures/run";
import { clearSecretKeys, trustsServiceAccount } from "../../policies/rules/k8s-objects";

runCases(k8sObjectCases);

describe("Kubernetes object helpers", () => {
  it("lists the Secret keys the plan prints in clear", () => {
    expect(clearSecretKeys("[secret]")).toEqual([]);
    expect(clearSecretKeys(undefined)).toEqual([]);
    expect(clearSecretKeys({ a: "[secret]", b: "", c: "x" })).toEqual(["c"]);
    expect(clearSecretKeys("plain")).toEqual(["*"]);
  });

  it("accepts a trust only for exactly the service account", () => {
    const doc = (cond: object, action = "sts:AssumeRoleWithWebIdentity", effect = "Allow") => JSON.stringify({ Statement: [{ Effect: effect, Principal: { Federated: "arn:aws:iam::1:oidc-provider/o" }, Action: action, Condition: cond }] });
    expect(trustsServiceAccount(doc({ StringEquals: { "o:sub": "system:serviceaccount:ns:a" } }), "ns", "a")).toBe(true);
    expect(trustsServiceAccount(doc({ StringEquals: { "o:sub": ["system:serviceaccount:ns:a", "system:serviceaccount:ns:b"] } }), "ns", "a")).toBe(false);
    expect(trustsServiceAccount(doc({ StringEquals: { "o:aud": "sts.amazonaws.com" } }), "ns", "a")).toBe(false);
    expect(trustsServiceAccount(doc({ StringEquals: { "o:sub": "system:serviceaccount:ns:a" } }, "sts:AssumeRole"), "ns", "a")).toBe(false);
    expect(trustsServiceAccount(doc({ StringEquals: { "o:sub": "system:serviceaccount:ns:a" } }, undefined, "Deny"), "ns", "a")).toBe(false);
    expect(trustsServiceAccount("not json", "ns", "a")).toBe(false);
  });
});
