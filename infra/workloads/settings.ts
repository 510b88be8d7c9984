import { ConfigError, type StackConfig } from "../config/schema";
import { cpuMillis, memoryBytes } from "./quantities";

/** The part of the stack config the Kubernetes workloads are built from. */
export type WorkloadSettings = Pick<
  StackConfig,
  | "stack"
  | "isProd"
  | "appImage"
  | "canaryImage"
  | "canaryReplicas"
  | "appReplicas"
  | "appMinReplicas"
  | "appMaxReplicas"
  | "appTargetCpuPercent"
  | "appCpuRequest"
  | "appCpuLimit"
  | "appMemoryRequest"
  | "appMemoryLimit"
  | "rateLimitMax"
  | "rateLimitWindowMs"
  | "rateLimitFailMode"
  | "apiKeyNames"
  | "apiKeyGenerations"
  | "apiKeyAcceptPrevious"
  | "apiKeysSecretName"
  | "wsAllowedOrigins"
  | "wsMaxConnectionsPerClient"
  | "websocketReadTimeoutSeconds"
  | "domain"
  | "wwwSubdomain"
  | "vpcCidr"
  | "appClusterIp"
  | "appKeepAliveSeconds"
  | "appHeadersTimeoutSeconds"
  | "appShutdownDelaySeconds"
  | "terminationGracePeriodSeconds"
  | "healthCheckIntervalSeconds"
  | "healthCheckTimeoutSeconds"
  | "unhealthyThreshold"
  | "nginxImage"
  | "nginxReplicas"
  | "nginxExporterImage"
  | "managedPrometheus"
  | "existingKubeconfig"
  | "nginxHttpNodePort"
  | "nginxProxyProtocolNodePort"
  | "nginxProxyProtocolHttpNodePort"
  | "sloWindowDays"
  | "sloApiAvailabilityPercent"
  | "sloApiLatencyMs"
  | "sloApiLatencyPercent"
  | "sloSiteAvailabilityPercent"
  | "sloSiteLatencyMs"
  | "sloSiteLatencyPercent"
  | "sloWebsocketAvailabilityPercent"
  | "sloWebsocketLatencyMs"
  | "sloWebsocketLatencyPercent"
  | "nginxBlueGreen"
  | "nginxGreenImage"
  | "nginxGreenReplicas"
  | "nginxGreenHttpNodePort"
  | "nginxGreenProxyProtocolNodePort"
  | "nginxGreenProxyProtocolHttpNodePort"
>;


/** `["partner-a:2"]` (apiKeyGenerations) → `{ "partner-a": 2 }`. */
export function apiKeyGenerations(entries: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    entries.map((entry) => {
      const [keyName, generation] = entry.split(":");
      return [keyName!, Number(generation)];
    }),
  );
}

/**
 * Cross-field rules of the workload settings the config schema does not check: a request above its
 * limit is refused by the API server halfway through a deploy, so it is refused here, at program
 * start, naming both keys and values.
 */
export function workloadSettingsProblems(s: Pick<WorkloadSettings, "appCpuRequest" | "appCpuLimit" | "appMemoryRequest" | "appMemoryLimit">): string[] {
  const problems: string[] = [];
  if (cpuMillis(s.appCpuRequest) > cpuMillis(s.appCpuLimit)) {
    problems.push(`edgestack:appCpuRequest (${s.appCpuRequest}) must be at most edgestack:appCpuLimit (${s.appCpuLimit})`);
  }
  if (memoryBytes(s.appMemoryRequest) > memoryBytes(s.appMemoryLimit)) {
    problems.push(`edgestack:appMemoryRequest (${s.appMemoryRequest}) must be at most edgestack:appMemoryLimit (${s.appMemoryLimit})`);
  }
  return problems;
}

/** Throws a ConfigError listing workloadSettingsProblems, if any (call at program start). */
export function checkWorkloadSettings(s: Parameters<typeof workloadSettingsProblems>[0]): void {
  const problems = workloadSettingsProblems(s);
  if (problems.length > 0) throw new ConfigError(problems);
}
