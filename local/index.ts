/** The local data plane: redis-server, app replicas and nginx from the stack's model, on loopback. */
export { startDataPlane, assertPortFree, waitForHttp200, replicaLogTails, PortInUseError, replicaAddress, deregistrationMs } from "./dataplane";
export type { DataPlane, DataPlaneOptions, DataPlaneUrls } from "./dataplane";
export { loadLocalStackConfig, replicaEnv, replicaInstanceId } from "./stack";
export type { ConfigOverrides } from "./stack";
export { localNginxModel, renderLocalNginxConf } from "./nginx-conf";
export type { LocalNginxInput } from "./nginx-conf";
export { checkPrerequisites, MissingPrerequisiteError } from "./prerequisites";
export { buildApp, appBuildIsStale, APP_MAIN } from "./build-app";
export type { ReplicaProcess } from "./replica";
