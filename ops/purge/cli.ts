import { execFile } from "node:child_process";
import { CloudFrontClient } from "@aws-sdk/client-cloudfront";
import { parsePurgeArgs, USAGE, UsageError } from "./args";
import { CommandRunner, createInvalidation, InvalidationClient, invalidationInput, resolveDistributionId } from "./purge";

/**
 * `npm run purge -- --stack <name> --paths "/index.html /api/*"`: invalidates paths on the stack's
 * CloudFront distribution (AWS credentials from the usual SDK chain). Versioned assets never need
 * this; it is for HTML and other fixed names. Exit codes: 0 ok, 1 AWS/CLI failure, 2 bad usage.
 */

export interface PurgeDeps {
  client: () => InvalidationClient;
  run: CommandRunner;
  now: () => Date;
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function main(argv: string[], deps: PurgeDeps): Promise<number> {
  let request;
  try {
    request = parsePurgeArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      deps.err(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const distributionId = await resolveDistributionId(request, deps.run);
    const input = invalidationInput(distributionId, request.paths, deps.now());
    if (request.dryRun) {
      deps.out(`${JSON.stringify(input, null, 2)}\n`);
      return 0;
    }
    const { id, status } = await createInvalidation(deps.client(), input);
    deps.out(`invalidation ${id} on ${distributionId}: ${status} (${request.paths.length} path${request.paths.length === 1 ? "" : "s"})\n`);
    return 0;
  } catch (e) {
    deps.err(`purge failed: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });

if (require.main === module) {
  void main(process.argv.slice(2), {
    // CloudFront is a global service whose API lives in us-east-1.
    client: () => new CloudFrontClient({ region: "us-east-1" }),
    run: runCommand,
    now: () => new Date(),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  }).then((code) => process.exit(code));
}
