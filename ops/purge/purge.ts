import { CreateInvalidationCommand, type CreateInvalidationCommandInput } from "@aws-sdk/client-cloudfront";
import { callerReference, checkDistributionId, PurgeRequest } from "./args";

/** The one client call we make; injected so tests run without network or credentials. */
export interface InvalidationClient {
  send(command: CreateInvalidationCommand): Promise<{ Invalidation?: { Id?: string; Status?: string } }>;
}

/** Runs a command and returns its stdout (used for `pulumi stack output`). */
export type CommandRunner = (command: string, args: string[]) => Promise<string>;

/** The distribution id from the flag, or from the stack's `distributionId` output via the Pulumi CLI. */
export async function resolveDistributionId(request: PurgeRequest, run: CommandRunner): Promise<string> {
  if (request.distributionId) return request.distributionId;
  const out = await run("pulumi", ["stack", "output", "distributionId", "--stack", request.stack!]);
  return checkDistributionId(out.trim(), `pulumi stack output distributionId --stack ${request.stack}`);
}

export function invalidationInput(distributionId: string, paths: string[], callTime: Date): CreateInvalidationCommandInput {
  return {
    DistributionId: distributionId,
    InvalidationBatch: {
      CallerReference: callerReference(distributionId, paths, callTime),
      Paths: { Quantity: paths.length, Items: paths },
    },
  };
}

export async function createInvalidation(client: InvalidationClient, input: CreateInvalidationCommandInput): Promise<{ id: string; status: string }> {
  const result = await client.send(new CreateInvalidationCommand(input));
  return { id: result.Invalidation?.Id ?? "(unknown)", status: result.Invalidation?.Status ?? "(unknown)" };
}
