import { ConfigError, parseStackConfig } from "../../infra/config/schema";

/** The problems parseStackConfig reports for `raw` (it must reject it with a ConfigError). */
export function configProblems(raw: Record<string, string>, stack = "test"): string[] {
  try {
    parseStackConfig(raw, stack);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}
