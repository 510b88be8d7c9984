import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseCommandLine, UsageError } from "../../scripts/cli/args";
import { ConfigError, parseStackConfig } from "../../infra/config/schema";
import { buildNginxModel, NginxModelError, renderNginxConf, type NginxSite } from "../../infra/nginx";
import { clusterNginxSite } from "../../infra/workloads/nginx";
import { localNginxSite, type LocalUpstream } from "../../local/nginx-site";
import { readStackFiles } from "../../offline/engine/stack-files";

/**
 * `npm run --silent render:nginx -- --stack <name> --out DIR [--local --upstream 127.0.0.1:PORT ... --listen PORT]`
 *
 * Renders nginx.conf from Pulumi.<stack>.yaml through the same config parsing as the program and
 * writes DIR/nginx.conf (self-contained: no includes). Cluster mode (default) is the ConfigMap's
 * file; --local renders loopback upstreams with pid/logs/temp dirs under DIR, ready for
 * `nginx -p DIR/ -c DIR/nginx.conf`. Exit 2 on bad flags or config.
 */

const USAGE = `usage: render:nginx -- --stack <name> --out <dir> [--local --listen <port> --upstream 127.0.0.1:<port>[=weight] ...
                    [--status-port <port>] [--proxy-protocol-port <port>] [--proxy-protocol-http-port <port>] [--trust <cidr> ...]]`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function port(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65_535) throw new UsageError(`--${flag}: ${JSON.stringify(value)} is not a port (1-65535)`);
  return Number(value);
}

function upstream(value: string): LocalUpstream {
  const match = /^127\.0\.0\.1:(\d{1,5})(?:=(\d{1,4}))?$/.exec(value);
  if (!match) throw new UsageError(`--upstream: ${JSON.stringify(value)} is not 127.0.0.1:<port> or 127.0.0.1:<port>=<weight> (local mode only proxies to loopback)`);
  const p = port("upstream", match[1])!;
  return { host: "127.0.0.1", port: p, ...(match[2] !== undefined ? { weight: Number(match[2]) } : {}) };
}

export function runRenderCli(argv: string[], cwd = process.cwd()): CliResult {
  try {
    const { values } = parseCommandLine(argv, {
      stack: { type: "string" },
      out: { type: "string" },
      local: { type: "boolean", default: false },
      upstream: { type: "string", multiple: true },
      listen: { type: "string" },
      "status-port": { type: "string" },
      "proxy-protocol-port": { type: "string" },
      "proxy-protocol-http-port": { type: "string" },
      trust: { type: "string", multiple: true },
      help: { type: "boolean", default: false },
    });
    if (values.help) return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
    if (!values.stack) throw new UsageError("--stack is required");
    if (!/^[A-Za-z0-9._-]+$/.test(values.stack)) throw new UsageError(`--stack: ${JSON.stringify(values.stack)} is not a stack name`);
    if (!values.out) throw new UsageError("--out is required");
    const out = path.resolve(cwd, values.out);

    const files = readStackFiles(values.stack);
    const config = parseStackConfig(files.config, values.stack);
    let site: NginxSite;
    if (values.local) {
      const listenPort = port("listen", values.listen);
      if (listenPort === undefined) throw new UsageError("--listen is required with --local");
      const upstreams = (values.upstream ?? []).map(upstream);
      if (upstreams.length === 0) throw new UsageError("--local needs at least one --upstream 127.0.0.1:<port>");
      site = localNginxSite({
        prefix: out,
        listenPort,
        upstreams,
        statusPort: port("status-port", values["status-port"]),
        proxyProtocolPort: port("proxy-protocol-port", values["proxy-protocol-port"]),
        proxyProtocolHttpPort: port("proxy-protocol-http-port", values["proxy-protocol-http-port"]),
        ...(values.trust ? { trustedCidrs: values.trust } : {}),
      });
    } else {
      for (const flag of ["upstream", "listen", "status-port", "proxy-protocol-port", "proxy-protocol-http-port", "trust"] as const) {
        if (values[flag] !== undefined) throw new UsageError(`--${flag} only applies with --local`);
      }
      // The configured block, which is a new VPC's; an existing VPC's secondary and IPv6 blocks are read at deploy.
      site = clusterNginxSite(config, [config.vpcCidr]);
    }

    const text = renderNginxConf(buildNginxModel(config, site));
    mkdirSync(out, { recursive: true });
    const file = path.join(out, "nginx.conf");
    writeFileSync(file, text);
    return { code: 0, stdout: `${file}\n`, stderr: "" };
  } catch (err) {
    if (err instanceof UsageError) return { code: 2, stdout: "", stderr: `render:nginx: ${err.message}\n${USAGE}\n` };
    if (err instanceof ConfigError || err instanceof NginxModelError) return { code: 2, stdout: "", stderr: `render:nginx: ${err.message}\n` };
    const message = err instanceof Error ? err.message : String(err);
    // A missing stack file or Pulumi.yaml is a usage problem too.
    const code = /stack file|Pulumi\.yaml/.test(message) ? 2 : 1;
    return { code, stdout: "", stderr: `render:nginx: ${message}\n${code === 2 ? `${USAGE}\n` : ""}` };
  }
}

if (require.main === module) {
  const result = runRenderCli(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}
