/**
 * runLoad against a plain node:http server that, like nginx at keepalive_requests, answers
 * "Connection: close" after a few requests per connection and then closes it.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { RECONNECT_EVERY, runLoad } from "../../local/load";
import { renderLocalNginxConf } from "../../local/nginx-conf";
import { loadLocalStackConfig } from "../../local/stack";

let server: http.Server;
let answered = 0;
let connections = 0;
let url: string;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    answered += 1;
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("a server that closes keep-alive connections costs no request: the generator reconnects first", async () => {
  // Closes after as many requests as nginx's default allows; the generator must leave earlier.
  server.maxRequestsPerSocket = RECONNECT_EVERY + 1;
  // A fixed amount of work, not of time: every connection passes RECONNECT_EVERY about twice however fast the
  // machine is at the moment.
  connections = 0;
  const result = await runLoad({ url, connections: 4, requests: 2 * 4 * RECONNECT_EVERY + 40 });
  expect(result.errorSamples).toEqual([]);
  expect({ errors: result.errors, timeouts: result.timeouts, failed: result.failedResponses }).toEqual({ errors: 0, timeouts: 0, failed: 0 });
  // Reconnects happened: more server-side connections than the generator keeps open at once, and
  // enough responses that every connection passed RECONNECT_EVERY (however fast the machine is).
  expect(connections).toBeGreaterThan(4);
  expect(result.responses).toBeGreaterThan(4 * RECONNECT_EVERY);
});

test("every answered request is counted, including the one that triggers a reconnect", async () => {
  server.maxRequestsPerSocket = 0;
  answered = 0;
  const result = await runLoad({ url, connections: 4, durationMs: 1500 });
  // The server may have answered the last in-flight request of each connection after the client
  // stopped reading; nothing else may be missing.
  expect(result.responses).toBeLessThanOrEqual(answered);
  expect(result.responses).toBeGreaterThanOrEqual(answered - 4);
  expect(result.statuses).toEqual({ "200": result.responses });
});

test("the generator reconnects before the local nginx would close a client connection", () => {
  // keepalive_requests outside upstream blocks is the client side; nginx's default is 1000.
  const text = renderLocalNginxConf(loadLocalStackConfig("dev"), { upstreamPorts: [41001], listenPort: 40080, statusPort: 40081, prefix: "/tmp/edgestack-test-prefix" });
  const outsideUpstreams = text.replace(/upstream\s+\S+\s*\{[^}]*\}/g, "");
  const configured = /keepalive_requests\s+(\d+);/.exec(outsideUpstreams);
  expect(RECONNECT_EVERY).toBeLessThan(configured === null ? 1000 : Number(configured[1]));
});
