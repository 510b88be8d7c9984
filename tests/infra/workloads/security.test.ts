import { APP_UID, containerSecurityContext, NGINX_UID, podSecurityContext } from "../../../infra/workloads/security";

describe("security contexts", () => {
  it("meet the restricted Pod Security Standard with a numeric non-root user", () => {
    expect(podSecurityContext(APP_UID)).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
    expect(containerSecurityContext(NGINX_UID)).toEqual({
      runAsNonRoot: true,
      runAsUser: 10101,
      runAsGroup: 10101,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("refuse root and non-numeric users", () => {
    expect(() => podSecurityContext(0)).toThrow(/uid 0 must be a non-root numeric uid/);
    expect(() => containerSecurityContext(1.5)).toThrow(/non-root numeric uid/);
  });
});
