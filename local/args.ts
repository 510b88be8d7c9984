import { parseCommandLine, UsageError } from "../scripts/cli/args";

export { UsageError };

export interface LocalArgs {
  stack: string;
  port: number;
  replicas: number;
  /** Also open the PROXY-protocol listeners behind haproxy (the NLB), TLS with a throw-away certificate. */
  nlb: boolean;
  /** Also run the nginx exporter, Prometheus (the generated rules) and Alertmanager. */
  observe: boolean;
  /** Remove the run directory (logs) on stop; by default it is kept and its path printed. */
  clean: boolean;
  help: boolean;
}

export const LOCAL_USAGE = `usage: npm run local -- [--stack dev] [--port 8080] [--replicas 3] [--nlb] [--observe] [--clean]

Runs the cluster's data path on loopback: a private redis-server, N app replicas (each on its own
loopback address), dnsmasq publishing the ready ones under the headless Service's name (a readiness
loop with the Deployment's probe plays kubelet), and nginx from Pulumi.<stack>.yaml resolving them.
Ctrl-C or SIGTERM (to this process or to npm) stops exactly the processes it started; logs are kept.

  --stack NAME     stack file to read (Pulumi.NAME.yaml); default dev
  --port N         nginx's port on 127.0.0.1; default 8080
  --replicas N     app replicas behind nginx (1-64); default 3
  --nlb            also open nginx's PROXY-protocol listeners behind haproxy (send-proxy-v2, the NLB):
                   a TLS port with a throw-away certificate (NLB 443) and a plain port (NLB 80)
  --observe        also run the NGINX Prometheus exporter, Prometheus (scraping the replicas' metrics
                   ports and the exporter, with the rules generated from the stack's SLO spec) and
                   Alertmanager; prints the Prometheus URL
  --clean          remove the logs on stop (default: kept, path printed)`;

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: must be a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/** Parses the CLI's arguments (pure); throws UsageError naming the offending flag and value. */
export function parseLocalArgs(argv: string[]): LocalArgs {
  const { values } = parseCommandLine(argv, {
    stack: { type: "string" },
    port: { type: "string" },
    replicas: { type: "string" },
    nlb: { type: "boolean" },
    observe: { type: "boolean" },
    clean: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const stack = values.stack ?? "dev";
  if (!STACK_NAME.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)}: is not a stack name (letters, digits, . _ -)`);
  return {
    stack,
    port: values.port === undefined ? 8080 : wholeNumber("port", values.port, 1, 65_535),
    replicas: values.replicas === undefined ? 3 : wholeNumber("replicas", values.replicas, 1, 64),
    nlb: values.nlb ?? false,
    observe: values.observe ?? false,
    clean: values.clean ?? false,
    help: values.help ?? false,
  };
}
