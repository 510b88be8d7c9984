import * as pulumi from "@pulumi/pulumi";
import { configProblems } from "../../harness/config";
import { realDeployProblems, reservedDomainOf } from "../../../infra/config/guards";
import { parseStackConfig } from "../../../infra/config/schema";

/** The first-deploy keys of the schema and the guards a real deployment (not the offline plan) adds. */
const base = { "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "shop.acme.io" };

const problems = configProblems;

describe("reserved example domains", () => {
  it("are recognised at any depth, and real names are not", () => {
    for (const d of ["example.com", "dev.edgestack.example.com", "a.example.org", "x.example.net", "site.test", "a.b.invalid", "app.localhost", "foo.example"]) {
      expect({ d, reserved: reservedDomainOf(d) !== undefined }).toEqual({ d, reserved: true });
    }
    for (const d of ["shop.acme.io", "myexample.com", "example.com.au", "testing.dev"]) expect({ d, reserved: reservedDomainOf(d) }).toEqual({ d, reserved: undefined });
  });

  it("are refused for a real deployment with the key and what to set", () => {
    const config = parseStackConfig({ ...base, "edgestack:domain": "dev.edgestack.example.com" }, "dev");
    expect(realDeployProblems(config)).toEqual([
      expect.stringMatching(/^edgestack:domain: "dev\.edgestack\.example\.com" is under the reserved example name "example\.com".*pulumi config set edgestack:domain <your-domain>/),
    ]);
    expect(realDeployProblems(parseStackConfig(base, "dev"))).toEqual([]);
  });

  it("stop loadStackConfig outside the offline engine before any resource is registered", () => {
    jest.isolateModules(() => {
      // No mocks installed: this is what a real `pulumi up` sees.
      pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "dev.edgestack.example.com" });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { loadStackConfig } = require("../../../infra/config/load") as typeof import("../../../infra/config/load");
      expect(() => loadStackConfig()).toThrow(/edgestack:domain: "dev\.edgestack\.example\.com" is under the reserved example name/);
    });
  });

  it("are not switched off by a mock monitor; only the offline engine's declared rehearsal skips them", async () => {
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) }, "edgestack", "dev", false);
    pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy", "edgestack:domain": "dev.edgestack.example.com" });
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { declareRehearsal, loadStackConfig } = require("../../../infra/config/load") as typeof import("../../../infra/config/load");
      expect(() => loadStackConfig()).toThrow(/edgestack:domain: "dev\.edgestack\.example\.com" is under the reserved example name/);
      declareRehearsal();
      expect(loadStackConfig().domain).toBe("dev.edgestack.example.com");
    });
  });
});

describe("first-deploy keys", () => {
  it("appImage is empty by default: nothing is deployed that nothing built", () => {
    expect(parseStackConfig(base, "dev").appImage).toBe("");
    expect(problems({ ...base, "edgestack:appImage": "ghcr.io/acme/app" })[0]).toMatch(/^edgestack:appImage: "ghcr.io\/acme\/app" is not an image reference pinned/);
  });

  it("a parent zone only with a zone the stack creates, by id or by name, not both", () => {
    expect(problems({ ...base, "edgestack:parentHostedZoneId": "Z0123456789ABCDEFGHIJ" })).toEqual([
      'edgestack:parentHostedZoneId: only applies with edgestack:createHostedZone true (an existing zone is already delegated)',
    ]);
    expect(problems({ ...base, "edgestack:createHostedZone": "true", "edgestack:parentHostedZoneId": "Z0123456789ABCDEFGHIJ", "edgestack:parentHostedZoneName": "acme.io" })[0]).toMatch(
      /set either edgestack:parentHostedZoneId or edgestack:parentHostedZoneName, not both/,
    );
    expect(problems({ ...base, "edgestack:createHostedZone": "true", "edgestack:parentHostedZoneId": "z-lower" })[0]).toMatch(/^edgestack:parentHostedZoneId: "z-lower" is not a Route53 hosted zone id/);
    expect(problems({ ...base, "edgestack:createHostedZone": "true", "edgestack:parentHostedZoneName": "other.io" })).toEqual([
      'edgestack:parentHostedZoneName: "other.io" is not a parent of edgestack:domain ("shop.acme.io")',
    ]);
  });

  it("zoneDelegated only for a created zone without a parent", () => {
    expect(problems({ ...base, "edgestack:zoneDelegated": "true" })).toEqual(["edgestack:zoneDelegated: only applies with edgestack:createHostedZone true"]);
    expect(problems({ ...base, "edgestack:createHostedZone": "true", "edgestack:parentHostedZoneName": "acme.io", "edgestack:zoneDelegated": "true" })[0]).toMatch(
      /zoneDelegated: not needed with edgestack:parentHostedZoneName/,
    );
  });

  it("a new cluster only on a version with pinned add-ons; an existing cluster may run others", () => {
    expect(parseStackConfig(base, "dev").kubernetesVersion).toBe("1.35");
    expect(parseStackConfig(base, "dev").clusterSupportType).toBe("STANDARD");
    expect(problems({ ...base, "edgestack:kubernetesVersion": "1.33" })).toEqual([
      'edgestack:kubernetesVersion: "1.33" has no pinned EKS add-on versions for a new cluster; use "1.35" (infra/config/eks-versions.ts)',
    ]);
    const { "edgestack:ciDeployRoleArn": _deployRole, ...withoutAccess } = base;
    const existing = { ...withoutAccess, "edgestack:kubernetesVersion": "1.33", "edgestack:existingKubeconfig": "apiVersion: v1", "edgestack:existingNodeSecurityGroupId": "sg-0123456789abcdef0" };
    expect(parseStackConfig(existing, "dev").kubernetesVersion).toBe("1.33");
    expect(problems({ ...base, "edgestack:clusterSupportType": "FOREVER" })[0]).toMatch(/^edgestack:clusterSupportType: "FOREVER" is not allowed; use one of "STANDARD", "EXTENDED"/);
  });
});
