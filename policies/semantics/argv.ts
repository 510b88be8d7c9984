/**
 * Command-line flags as a program reads them (Go's flag package, klog, kube components): `--name=value`,
 * `-name=value`, `--name value` and `-name value`, over command and args together; the last occurrence wins.
 */
export function flagValue(argv: readonly unknown[], name: string): string | undefined {
  const words = argv.map(String);
  let value: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(words[i]!);
    if (!m || m[1] !== name) continue;
    if (m[2] !== undefined) value = m[2];
    else if (i + 1 < words.length && !/^-/.test(words[i + 1]!)) value = words[++i];
    else value = "true";
  }
  return value;
}
