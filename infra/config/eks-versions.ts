/**
 * EKS Kubernetes versions: the release calendar (AWS "Amazon EKS Kubernetes release calendar",
 * dates UTC) and the EKS add-on versions pinned per version. A version is creatable only when its
 * add-ons are pinned here; the plan warns once a pinned version has left standard support (a new
 * or kept cluster then runs on paid extended support, or is auto-upgraded with supportType STANDARD).
 */

export interface VersionSupport {
  /** First day of extended support (standard support has ended). */
  endOfStandardSupport: string;
  /** After this day EKS upgrades the control plane itself. */
  endOfExtendedSupport: string;
}

/** Checked against the EKS calendar on 2026-12-01. */
export const EKS_SUPPORT_CALENDAR: Record<string, VersionSupport> = {
  "1.29": { endOfStandardSupport: "2025-03-23", endOfExtendedSupport: "2026-03-23" },
  "1.30": { endOfStandardSupport: "2025-07-23", endOfExtendedSupport: "2026-07-23" },
  "1.31": { endOfStandardSupport: "2025-11-26", endOfExtendedSupport: "2026-11-26" },
  "1.32": { endOfStandardSupport: "2026-03-23", endOfExtendedSupport: "2027-03-23" },
  "1.33": { endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29" },
  "1.34": { endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02" },
  "1.35": { endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27" },
};

/** The EKS add-ons the cluster relies on: pod networking, service routing, cluster DNS. */
export const ADDON_NAMES = ["vpc-cni", "kube-proxy", "coredns"] as const;
export type AddonName = (typeof ADDON_NAMES)[number];

/**
 * EKS add-on versions (`aws eks describe-addon-versions --kubernetes-version X`), pinned per version.
 * Moving to a new Kubernetes version means adding its row (kube-proxy follows the minor version).
 */
export const EKS_ADDON_VERSIONS: Record<string, Record<AddonName, string>> = {
  "1.35": { "vpc-cni": "v1.21.1-eksbuild.3", "kube-proxy": "v1.35.0-eksbuild.2", coredns: "v1.13.2-eksbuild.1" },
};

/** The versions a new cluster may be created on: pinned add-ons and a calendar entry. */
export const CREATABLE_VERSIONS = Object.keys(EKS_ADDON_VERSIONS).filter((v) => v in EKS_SUPPORT_CALENDAR);

export type SupportStatus = "standard" | "extended" | "ended" | "unknown";

/** Where `version` stands on `today` (an ISO date, UTC). */
export function supportStatus(version: string, today: string): SupportStatus {
  const entry = EKS_SUPPORT_CALENDAR[version];
  if (entry === undefined) return "unknown";
  if (today < entry.endOfStandardSupport) return "standard";
  if (today < entry.endOfExtendedSupport) return "extended";
  return "ended";
}

/** The plan's warning for a pinned version past standard support; undefined while it is in it. */
export function supportWarning(version: string, today: string, supportType: "STANDARD" | "EXTENDED"): string | undefined {
  const status = supportStatus(version, today);
  const entry = EKS_SUPPORT_CALENDAR[version];
  const newest = CREATABLE_VERSIONS.filter((v) => supportStatus(v, today) === "standard").sort(compareVersions).pop();
  const move = newest ? `set edgestack:kubernetesVersion to "${newest}"` : "pin a version in standard support (infra/config/eks-versions.ts)";
  switch (status) {
    case "standard":
      return undefined;
    case "unknown":
      return `Kubernetes ${version} is not in the EKS support calendar (infra/config/eks-versions.ts); ${move}`;
    case "extended":
      return supportType === "EXTENDED"
        ? `Kubernetes ${version} left EKS standard support on ${entry!.endOfStandardSupport}: the cluster runs on paid extended support until ${entry!.endOfExtendedSupport}; ${move}`
        : `Kubernetes ${version} left EKS standard support on ${entry!.endOfStandardSupport}: with supportType STANDARD EKS upgrades the control plane on its own schedule; ${move}`;
    case "ended":
      return `Kubernetes ${version} left EKS extended support on ${entry!.endOfExtendedSupport}: EKS upgrades the control plane on its own; ${move}`;
  }
}

export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am - bm || an - bn;
}

/** Today's date (UTC) as the plan sees it. */
export const todayUtc = (now: Date = new Date()) => now.toISOString().slice(0, 10);
