import { ConfigError } from "../../../infra/config/schema";
import { runStack } from "../../harness";

/**
 * A config that breaks the timeout chain is rejected when the program starts, with a message naming
 * both keys and both values, before a single resource is registered.
 */
// The mock monitor the offline engine installs (internal runtime module, as the engine itself uses it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings");

let failure: unknown;

beforeAll(async () => {
  failure = await runStack({
    stack: "prod",
    config: {
      // ALB idle (80 s) above nginx's client keepalive (75 s): the ALB would reuse connections nginx closed.
      "edgestack:albIdleTimeoutSeconds": "80",
      // Deregistration (30 s) longer than the app keeps serving after SIGTERM (20 s).
      "edgestack:deregistrationDelaySeconds": "30",
    },
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
});

it("rejects the run with a ConfigError", () => {
  expect(failure).toBeInstanceOf(ConfigError);
});

it("names both keys and both values of every broken link", () => {
  const message = (failure as Error).message;
  expect(message).toContain("edgestack:albIdleTimeoutSeconds (80) must be less than edgestack:nginxClientKeepaliveSeconds (75)");
  expect(message).toContain("edgestack:deregistrationDelaySeconds (30) must be at most edgestack:appShutdownDelaySeconds (20)");
});

it("registers no resource at all: nothing is half-applied", () => {
  const monitor = settings.getMonitor();
  expect(monitor).toBeDefined();
  expect(monitor.resources.size).toBe(0);
});
