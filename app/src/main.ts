import { ConfigError, loadConfig } from "./config";
import { createApp } from "./server";

/** Process entry: read env, start, and stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`edgestack app: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }

  const app = createApp(config);
  const log = app.log;
  // Log lines are buffered (app/src/logger.ts): every exit path writes what is left first.
  const exit = (code: number): never => {
    app.logs.flushSync();
    process.exit(code);
  };

  const stop = (signal: NodeJS.Signals) => {
    if (app.draining) return; // a second signal does not cut the drain short
    log.info({ signal }, "shutdown requested");
    // Hard stop if draining hangs (e.g. a client holds a request open): the orchestrator would
    // SIGKILL us at its grace period anyway; exiting non-zero makes the cause visible.
    const deadline = setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out");
      exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    app.shutdown().then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // A crash must not lose the lines that explain it (nor the access-log lines before it).
  const fatal = (kind: string) => (err: unknown) => {
    log.fatal({ err }, kind);
    exit(1);
  };
  process.on("uncaughtException", fatal("uncaught exception"));
  process.on("unhandledRejection", fatal("unhandled rejection"));

  // A HOST that is an IP but not one of this machine's, a port in use or below 1024: the
  // environment is wrong, not the program. The message names the variables of the listener that failed.
  const listenOrExit = async <T>(listen: () => Promise<T>, names: string): Promise<T> => {
    try {
      return await listen();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EADDRNOTAVAIL" || code === "EADDRINUSE" || code === "EACCES") {
        process.stderr.write(`edgestack app: cannot listen on ${names}: ${code}\n`);
        exit(78);
      }
      throw err;
    }
  };
  const port = await listenOrExit(() => app.listen(), `HOST=${JSON.stringify(config.host)} PORT=${JSON.stringify(String(config.port))}`);
  const metricsPort = await listenOrExit(
    () => app.listenMetrics(),
    config.metrics === null ? "" : `METRICS_HOST=${JSON.stringify(config.metrics.host)} METRICS_PORT=${JSON.stringify(String(config.metrics.port))}`,
  );
  log.info({ port, metricsPort, pid: process.pid, rateLimit: config.rateLimit, trustProxyCidrs: config.trustProxyCidrs, apiKeys: config.apiKeyHashes.length, websocket: config.websocket }, "listening");
}

main().catch((err: unknown) => {
  process.stderr.write(`edgestack app: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
