/**
 * The app's part of the HTTP contract: its routes, the header names it reads and writes, its port
 * and the static Cache-Control. A copy of `infra/contract.ts` (the app's build cannot import from
 * outside `app/`); tests/app/routes.test.ts fails when the two disagree.
 */

export type AppMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface AppRoute {
  /** find-my-way pattern (`:name` is a parameter). */
  path: string;
  /** GET also answers HEAD. */
  methods: readonly AppMethod[];
  /** The contract entry (infra/contract.ts ROUTES key) the path belongs to. */
  contract: "health" | "liveness" | "readiness" | "websocket" | "api" | "static" | "html";
}

/** Every route the app serves; createApp registers exactly these, each with one handler. */
export const APP_ROUTES = {
  liveness: { path: "/livez", methods: ["GET"], contract: "liveness" },
  readiness: { path: "/readyz", methods: ["GET"], contract: "readiness" },
  health: { path: "/health", methods: ["GET"], contract: "health" },
  staticFile: { path: "/static/:name", methods: ["GET"], contract: "static" },
  hello: { path: "/api/hello", methods: ["GET"], contract: "api" },
  /** The site root: a small page naming what the service offers (the first URL `npm run local` prints). */
  home: { path: "/", methods: ["GET"], contract: "html" },
  /** Served on the HTTP server's upgrade event, not by the router. */
  websocket: { path: "/ws", methods: ["GET"], contract: "websocket" },
} as const satisfies Record<string, AppRoute>;

export type AppRouteKey = keyof typeof APP_ROUTES;

/** Header names (lower case, as node presents them). */
export const APP_HEADERS = {
  requestId: "x-request-id",
  instance: "x-instance",
  apiKey: "x-api-key",
  forwardedFor: "x-forwarded-for",
  forwardedProto: "x-forwarded-proto",
} as const;

/** The app's default listening port. */
export const APP_PORT = 8080;

/** Versioned static files: a given URL never changes content. */
export const STATIC_CACHE_CONTROL = "public, max-age=31536000, immutable";
