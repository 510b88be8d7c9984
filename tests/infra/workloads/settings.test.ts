import { ConfigError } from "../../../infra/config/schema";
import { cpuMillis, memoryBytes } from "../../../infra/workloads/quantities";
import { checkWorkloadSettings, workloadSettingsProblems } from "../../../infra/workloads/settings";

const ok = { appCpuRequest: "250m", appCpuLimit: "1", appMemoryRequest: "256Mi", appMemoryLimit: "512Mi" };

describe("quantities", () => {
  it("reads CPU and memory as the config allows them", () => {
    expect(cpuMillis("250m")).toBe(250);
    expect(cpuMillis("1")).toBe(1000);
    expect(cpuMillis("1.5")).toBe(1500);
    expect(memoryBytes("128Mi")).toBe(128 * 1024 ** 2);
    expect(memoryBytes("1Gi")).toBe(1024 ** 3);
    expect(memoryBytes("512Ki")).toBe(512 * 1024);
    expect(() => cpuMillis("lots")).toThrow(/"lots" is not a CPU quantity/);
    expect(() => memoryBytes("1G")).toThrow(/"1G" is not a memory quantity/);
  });
});

describe("workloadSettingsProblems", () => {
  it("accepts requests at or below limits", () => {
    expect(workloadSettingsProblems(ok)).toEqual([]);
    expect(workloadSettingsProblems({ ...ok, appCpuRequest: "1000m", appMemoryRequest: "512Mi" })).toEqual([]);
  });

  it("names both keys and values when a request exceeds its limit", () => {
    expect(workloadSettingsProblems({ ...ok, appCpuRequest: "1.5" })).toEqual(["edgestack:appCpuRequest (1.5) must be at most edgestack:appCpuLimit (1)"]);
    expect(workloadSettingsProblems({ ...ok, appMemoryRequest: "1Gi" })).toEqual(["edgestack:appMemoryRequest (1Gi) must be at most edgestack:appMemoryLimit (512Mi)"]);
  });

  it("throws a ConfigError from checkWorkloadSettings", () => {
    expect(() => checkWorkloadSettings({ ...ok, appMemoryRequest: "1Gi" })).toThrow(ConfigError);
    expect(() => checkWorkloadSettings(ok)).not.toThrow();
  });
});
