import type { StackConfig } from "./config";

/**
 * What a `pulumi up` can create given what exists outside the stack. A first deploy into an empty
 * account gets there in steps, each `pulumi up` completing instead of waiting on something that
 * cannot happen:
 *
 * - certificates (and the listeners, CloudFront and alias records behind them) need a zone that
 *   answers: an existing zone, a new zone the stack delegates from a parent zone, or a new zone the
 *   user has delegated (zoneDelegated). A new, undelegated zone stops the run short of them and
 *   prints the name servers to delegate to.
 * - workloads need an image: the digest the deploy workflow pushed, or one the user set.
 */
export interface BringUp {
  /** Certificates and everything that depends on them: ALB, NLB, CloudFront, DNS records. */
  edge: boolean;
  /** The app and nginx in the cluster. */
  workloads: boolean;
  /** What the next step needs, in the order to do it; empty once the stack is complete. */
  pending: string[];
}

export function bringUp(config: StackConfig): BringUp {
  const pending: string[] = [];
  const parent = Boolean(config.parentHostedZoneId || config.parentHostedZoneName);
  const edge = !config.createHostedZone || parent || config.zoneDelegated;
  if (!edge) {
    pending.push(
      `delegate ${config.domain} to the name servers in the nameServers output (NS records at the parent zone or registrar), ` +
        `then: pulumi config set edgestack:zoneDelegated true && pulumi up`,
    );
  }
  const workloads = config.appImage !== "";
  if (!workloads) {
    pending.push(
      "push the app image to the imageRepositoryUrl output (the deploy workflow does), then: pulumi config set edgestack:appImage <imageRepositoryUrl>@sha256:<digest> && pulumi up",
    );
  }
  // The deployer's ClusterRole grows with the kinds the stack declares: the bootstrap admin stays
  // until the workloads exist, then goes.
  if (config.clusterAccessBootstrap && pending.length === 0) {
    pending.push("the deploy role's ClusterRole now covers every kind the stack manages: pulumi config set edgestack:clusterAccessBootstrap false && pulumi up");
  }
  return { edge, workloads, pending };
}

/** What the stack's last deployment exported (read through a StackReference to the stack itself). */
export interface PreviousOutputs {
  appImage?: unknown;
  namespace?: unknown;
}

/**
 * An omitted appImage is only a first deploy's bring-up step. On a stack whose last deployment ran
 * workloads it would delete the namespace, both Deployments, their load-balancer attachments and
 * the generated API keys (partners' keys would be regenerated): refused, naming the image to set.
 */
export function omittedImageProblem(config: Pick<StackConfig, "appImage" | "stack">, previous: PreviousOutputs): string | undefined {
  if (config.appImage !== "") return undefined;
  const running = typeof previous.appImage === "string" && previous.appImage !== "" ? previous.appImage : undefined;
  if (running === undefined && (previous.namespace === undefined || previous.namespace === null)) return undefined;
  return (
    `edgestack:appImage is not set, but stack ${config.stack} runs ${running ?? "workloads"}: without an image this update would delete the ` +
    `namespace, the Deployments and the generated API keys. Set the image to keep running` +
    (running ? `: pulumi config set edgestack:appImage ${running}` : " (pulumi config set edgestack:appImage <image>)") +
    `, or the one to deploy.`
  );
}
