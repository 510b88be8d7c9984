/**
 * Pod and container security contexts shared by the app and nginx: the Kubernetes "restricted"
 * Pod Security Standard (non-root with a numeric uid, no privilege escalation, every capability
 * dropped, RuntimeDefault seccomp) plus a read-only root filesystem.
 */

export interface PodSecurityContext {
  runAsNonRoot: true;
  runAsUser: number;
  runAsGroup: number;
  fsGroup: number;
  seccompProfile: { type: "RuntimeDefault" };
}

export interface ContainerSecurityContext {
  runAsNonRoot: true;
  runAsUser: number;
  runAsGroup: number;
  readOnlyRootFilesystem: true;
  allowPrivilegeEscalation: false;
  privileged: false;
  capabilities: { drop: ["ALL"] };
  seccompProfile: { type: "RuntimeDefault" };
}

function checkUid(uid: number): void {
  // A numeric, non-zero uid: the kubelet can only prove runAsNonRoot for numeric users.
  if (!Number.isInteger(uid) || uid < 1 || uid > 2_147_483_647) throw new Error(`security context: uid ${uid} must be a non-root numeric uid (1..2147483647)`);
}

export function podSecurityContext(uid: number): PodSecurityContext {
  checkUid(uid);
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

export function containerSecurityContext(uid: number): ContainerSecurityContext {
  checkUid(uid);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** uid of the app image's user (any non-root uid works: the app only reads its files). */
export const APP_UID = 10001;
/**
 * uid and gid nginx (and its exporter sidecar) run as: above 10000, never a user or group of the
 * node. Not the image's own user (101 in nginxinc/nginx-unprivileged): the image tolerates any uid
 * because nothing it runs writes its own files here: the config and the TLS pair are read-only
 * mounts readable through fsGroup, the pid file and temp paths live in the /tmp emptyDir (owned by
 * fsGroup), the logs go to /dev/stdout and /dev/stderr, and the image's entrypoint scripts (which
 * rewrite /etc/nginx) are bypassed.
 */
export const NGINX_UID = 10101;
