/**
 * The package entry (infra/index.ts, package.json main) is a library: importing it registers no
 * resource, calls no data source and reads no config, and it exports the components with the
 * config schema. (The program, index.ts, is what registers resources.)
 */
import * as pulumi from "@pulumi/pulumi";

const registered: string[] = [];
const invoked: string[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(`${args.type}::${args.name}`);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => {
        invoked.push(args.token);
        return {};
      },
    },
    "edgestack",
    "dev",
    false,
  );
});

describe("the package entry", () => {
  it("registers nothing and calls no data source when imported", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- imported after the mocks, on purpose
    const entry = require("../../infra") as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(Object.keys(entry).length).toBeGreaterThan(20);
    expect({ registered, invoked }).toEqual({ registered: [], invoked: [] });
  });

  it("exports every component, the config schema and the name prefix", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entry = require("../../infra") as Record<string, unknown>;
    for (const name of ["Vpc", "EksCluster", "Redis", "ImageRepository", "HostedZone", "Dns", "ValidatedCertificate", "OriginLock", "Alb", "Nlb", "Cdn", "Workloads", "LoadBalancerTargets"]) {
      expect({ name, isComponent: typeof entry[name] === "function" && (entry[name] as { prototype: unknown }).prototype instanceof pulumi.ComponentResource }).toEqual({ name, isComponent: true });
    }
    for (const name of ["fields", "parseStackConfig", "loadStackConfig", "ConfigError", "physicalNamePrefix"]) expect(entry[name]).toBeDefined();
  });
});
