import { RunError } from "@pulumi/pulumi/errors";
import { ConfigError as AppConfigError } from "../../../app/src/config";
import { ConfigError as StackConfigError } from "../../../infra/config/schema";
import { ConfigError } from "@edgestack/contract";

describe("ConfigError", () => {
  it("is one type for the stack config and the app's environment", () => {
    expect(StackConfigError).toBe(ConfigError);
    expect(AppConfigError).toBe(ConfigError);
  });

  it("lists every problem under its heading and keeps them", () => {
    const err = new ConfigError(['edgestack:domain: "x" is not a domain', "edgestack:vpcCidr: is required"]);
    expect(err.message).toBe('Invalid stack configuration:\n  edgestack:domain: "x" is not a domain\n  edgestack:vpcCidr: is required');
    expect(err.problems).toHaveLength(2);
    expect(new ConfigError(["PORT: 0 must be at least 1"], "invalid environment").message).toBe("invalid environment:\n  PORT: 0 must be at least 1");
  });

  it("is a RunError to the Pulumi program runner (printed without a stack trace)", () => {
    expect(RunError.isInstance(new ConfigError(["x"]))).toBe(true);
    expect(RunError.isInstance(new Error("x"))).toBe(false);
  });
});
