import { effectMutations, harmless } from "./effects";
import { mutations } from "./mutations";
import { derivedKey, derivedMutations as checkovDerived } from "./derived";
import { catalogueHarmless, catalogueMutations } from "./derived-catalogues";
import pendingDerived from "./pending-derived.json";
import { prodPlanJudge } from "./judge";
import { typeHarmless, typeMutations } from "./types-mutations";

const judge = prodPlanJudge();
/** Every catalogue-derived mutation: checkov's and parliament's (derived.ts), then trivy's, kubescape's, Security Hub's, Polaris' and kube-linter's (derived-catalogues.ts). */
const derivedMutations = [...checkovDerived, ...catalogueMutations];

describe("red-team mutations of the prod plan", () => {
  it("the unmutated prod plan has no violation", async () => {
    expect(await judge.cleanPlanViolations()).toEqual([]);
  });

  it.each([...mutations, ...effectMutations, ...typeMutations].map((m) => [`${m.area}: ${m.title}`, m] as const))("%s is caught by a mandatory rule on the right resource", async (_t, m) => {
    await judge.expectCaught(m);
  });

  it.each([...harmless, ...typeHarmless].map((h) => [h.title, h] as const))("harmless: %s is not reported", async (_t, h) => {
    await judge.expectHarmless(h);
  });
});

/**
 * Mutations derived from the peers' check catalogues (derived.ts, derived-catalogues.ts), not from our rules. Those our pack misses today
 * are listed in pending-derived.json (with what a rule would need) and are not run here; every other one must be
 * caught. A pending entry that no longer names a derived mutation is an error, so the list cannot go stale silently.
 */
describe("red-team mutations derived from the field's check catalogues", () => {
  const pending = new Set(pendingDerived.pending.map(derivedKey));

  it("every pending entry names a derived mutation, and derived mutations are unique", () => {
    const keys = derivedMutations.map(derivedKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...pending].filter((k) => !keys.includes(k))).toEqual([]);
  });

  it.each(derivedMutations.filter((m) => !pending.has(derivedKey(m))).map((m) => [derivedKey(m), m] as const))("%s is caught by a mandatory rule on the right resource", async (_t, m) => {
    await judge.expectCaught(m);
  });

  it.each(catalogueHarmless.map((h) => [h.title, h] as const))("harmless (catalogue reviewer): %s is not reported", async (_t, h) => {
    await judge.expectHarmless(h);
  });
});
