import { CREATABLE_VERSIONS, EKS_ADDON_VERSIONS, EKS_SUPPORT_CALENDAR, supportStatus, supportWarning } from "../../../infra/config/eks-versions";
import { fields } from "../../../infra/config/schema";

const TODAY = "2026-12-01";

test("the default version is in standard support today and has pinned add-ons", () => {
  const version = fields.kubernetesVersion.default as string;
  expect(supportStatus(version, TODAY)).toBe("standard");
  expect(CREATABLE_VERSIONS).toContain(version);
  // The newest version the calendar knows: a new cluster starts with the longest standard support.
  expect(Object.keys(EKS_SUPPORT_CALENDAR).sort().pop()).toBe(version);
});

test("the calendar: standard support, then extended, then ended, switching on the calendar day", () => {
  expect(supportStatus("1.33", "2026-07-28")).toBe("standard");
  expect(supportStatus("1.33", "2026-07-29")).toBe("extended");
  expect(supportStatus("1.33", TODAY)).toBe("extended");
  expect(supportStatus("1.31", TODAY)).toBe("ended");
  expect(supportStatus("1.34", TODAY)).toBe("standard");
  expect(supportStatus("1.34", "2026-12-02")).toBe("extended");
  expect(supportStatus("1.99", TODAY)).toBe("unknown");
  for (const entry of Object.values(EKS_SUPPORT_CALENDAR)) expect(entry.endOfStandardSupport < entry.endOfExtendedSupport).toBe(true);
});

test("the plan warns for a pinned version past standard support, naming the version to move to", () => {
  expect(supportWarning("1.35", TODAY, "STANDARD")).toBeUndefined();
  expect(supportWarning("1.33", TODAY, "EXTENDED")).toBe(
    'Kubernetes 1.33 left EKS standard support on 2026-07-29: the cluster runs on paid extended support until 2027-07-29; set edgestack:kubernetesVersion to "1.35"',
  );
  expect(supportWarning("1.33", TODAY, "STANDARD")).toMatch(/with supportType STANDARD EKS upgrades the control plane on its own schedule; set edgestack:kubernetesVersion to "1.35"/);
  expect(supportWarning("1.31", TODAY, "STANDARD")).toMatch(/^Kubernetes 1.31 left EKS extended support on 2026-11-26/);
  expect(supportWarning("1.99", TODAY, "STANDARD")).toMatch(/not in the EKS support calendar/);
});

test("kube-proxy is pinned to its Kubernetes minor version; every add-on is an eksbuild", () => {
  for (const [version, addons] of Object.entries(EKS_ADDON_VERSIONS)) {
    expect(addons["kube-proxy"]).toMatch(new RegExp(`^v${version.replace(".", "\\.")}\\.\\d+-eksbuild\\.\\d+$`));
    for (const v of Object.values(addons)) expect(v).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  }
});
