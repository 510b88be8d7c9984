import { CreateInvalidationCommand } from "@aws-sdk/client-cloudfront";
import { main, PurgeDeps } from "../../../ops/purge/cli";
import { CommandRunner, InvalidationClient } from "../../../ops/purge/purge";

/** The purge command end to end with an injected CloudFront client and CLI runner: no network. */

const NOW = new Date("2025-06-01T12:00:00.000Z");

function harness(options: { stackOutput?: string; runFails?: string; sendFails?: string } = {}) {
  const sent: CreateInvalidationCommand[] = [];
  const ran: [string, string[]][] = [];
  let out = "";
  let err = "";
  const client: InvalidationClient = {
    send: async (command) => {
      sent.push(command);
      if (options.sendFails) throw new Error(options.sendFails);
      return { Invalidation: { Id: "I2J0I21PCUYOIK", Status: "InProgress" } };
    },
  };
  const run: CommandRunner = async (command, args) => {
    ran.push([command, args]);
    if (options.runFails) throw new Error(options.runFails);
    return options.stackOutput ?? "E1VGIYONUMW5YZ\n";
  };
  const deps: PurgeDeps = { client: () => client, run, now: () => NOW, out: (t) => (out += t), err: (t) => (err += t) };
  return { deps, sent, ran, output: () => out, errors: () => err };
}

describe("npm run purge", () => {
  it("reads the distribution id from the stack output and sends one invalidation", async () => {
    const h = harness();
    const code = await main(["--stack", "prod", "--paths", "/index.html /api/*"], h.deps);
    expect(code).toBe(0);
    expect(h.ran).toEqual([["pulumi", ["stack", "output", "distributionId", "--stack", "prod"]]]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0].input).toEqual({
      DistributionId: "E1VGIYONUMW5YZ",
      InvalidationBatch: {
        CallerReference: expect.stringMatching(/^edgestack-purge-1748779200000-[0-9a-f]{16}$/),
        Paths: { Quantity: 2, Items: ["/index.html", "/api/*"] },
      },
    });
    expect(h.output()).toContain("invalidation I2J0I21PCUYOIK on E1VGIYONUMW5YZ: InProgress (2 paths)");
  });

  it("uses --distribution-id without calling the Pulumi CLI", async () => {
    const h = harness();
    expect(await main(["--distribution-id", "E2QWRUHAPOMQZL", "--paths", "/"], h.deps)).toBe(0);
    expect(h.ran).toEqual([]);
    expect(h.sent[0].input.DistributionId).toBe("E2QWRUHAPOMQZL");
  });

  it("prints the request and sends nothing with --dry-run", async () => {
    const h = harness();
    expect(await main(["--distribution-id", "E2QWRUHAPOMQZL", "--paths", "/a /b", "--dry-run"], h.deps)).toBe(0);
    expect(h.sent).toEqual([]);
    expect(JSON.parse(h.output()).InvalidationBatch.Paths).toEqual({ Quantity: 2, Items: ["/a", "/b"] });
  });

  it("exits 2 on bad arguments before any call", async () => {
    const h = harness();
    expect(await main(["--stack", "dev", "--paths", "index.html"], h.deps)).toBe(2);
    expect(h.errors()).toMatch(/must start with "\/"[\s\S]*usage: npm run purge/);
    expect(h.ran).toEqual([]);
    expect(h.sent).toEqual([]);
  });

  it("exits 2 when the stack output is not a distribution id", async () => {
    const h = harness({ stackOutput: "null" });
    expect(await main(["--stack", "dev", "--paths", "/x"], h.deps)).toBe(2);
    expect(h.errors()).toMatch(/pulumi stack output distributionId --stack dev: "null" is not a CloudFront distribution id/);
    expect(h.sent).toEqual([]);
  });

  it("exits 1 when the Pulumi CLI or AWS fails, with the reason", async () => {
    const noCli = harness({ runFails: "spawn pulumi ENOENT" });
    expect(await main(["--stack", "dev", "--paths", "/x"], noCli.deps)).toBe(1);
    expect(noCli.errors()).toContain("purge failed: spawn pulumi ENOENT");
    const denied = harness({ sendFails: "AccessDenied" });
    expect(await main(["--distribution-id", "E2QWRUHAPOMQZL", "--paths", "/x"], denied.deps)).toBe(1);
    expect(denied.errors()).toContain("purge failed: AccessDenied");
  });
});
