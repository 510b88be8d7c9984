/**
 * Kubernetes resource quantities, only as far as the stack config allows them (validators.ts:
 * CPU "250m" / "1" / "1.5", memory "128Mi" / "1Gi"). Hand-written because comparing two config
 * values is all we need; a full quantity parser (exponents, decimal SI suffixes) would be unused.
 */

export function cpuMillis(quantity: string): number {
  const m = /^(\d+)m$/.exec(quantity);
  if (m) return Number(m[1]);
  if (/^\d+(\.\d{1,3})?$/.test(quantity)) return Math.round(Number(quantity) * 1000);
  throw new Error(`${JSON.stringify(quantity)} is not a CPU quantity such as "250m" or "1"`);
}

const BINARY = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 } as const;

export function memoryBytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`${JSON.stringify(quantity)} is not a memory quantity such as "128Mi"`);
  return Number(m[1]) * BINARY[m[2] as keyof typeof BINARY];
}
