/** The nginx vocabulary the stack config is written in (the nginx model and renderer read it from here). */

/**
 * The balancing methods of open-source nginx 1.30 (checked against the real binary in
 * tests/infra/nginx/balancing-behaviour.test.ts):
 * - `round_robin`: smooth weighted round robin (each server's `weight`; the canary split's weights too);
 * - `least_conn`: fewest active connections, ties by weight;
 * - `ip_hash`: affinity by client address (IPv4 /24): every client behind one NAT lands on one pod;
 * - `hash`: `hash $request_uri consistent` (ketama: adding a pod moves ~1/n of the keys);
 * - `random`: weighted random;
 * - `random_two_least_conn`: `random two least_conn` (power of two choices);
 * - `cookie_affinity`: `least_conn` for a client's first request, then `sticky cookie`: nginx sets
 *   AFFINITY_COOKIE to a hash of the chosen server's address and sends later requests carrying it there
 *   (while that server is up; a restarted pod at the same address keeps its clients).
 * Not in open-source nginx 1.30 (the binary refuses them): `least_time` and `random two least_time=…`
 * (least response time), `queue`, `ntlm`, and active health checks (`health_check`); see docs/nginx.md.
 */
export const LOAD_BALANCING = ["round_robin", "least_conn", "ip_hash", "hash", "random", "random_two_least_conn", "cookie_affinity"] as const;
export type LoadBalancing = (typeof LOAD_BALANCING)[number];

/** The cookie `cookie_affinity` sets (value: nginx's hash of the chosen server's address, no expiry: a browser session). */
export const AFFINITY_COOKIE = "edge_affinity";

/**
 * How the upstream finds the app pods by DNS: `dns_a` looks the name up for A records (a server per
 * address, the port from the model); `dns_srv` for SRV records `_<port name>._tcp.<name>` (a server
 * per record, its target's address and the record's port). Both re-resolved while running.
 */
export const NGINX_SERVICE_DISCOVERY = ["dns_a", "dns_srv"] as const;
export type NginxServiceDiscovery = (typeof NGINX_SERVICE_DISCOVERY)[number];
