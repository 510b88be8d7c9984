import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * The command-line conventions every repository command shares (local/, ops/, offline/): flags
 * parsed by `node:util`'s parseArgs, strictly (an unknown flag, a missing value or a stray argument
 * is refused), and one error type for a bad command line, whose message names the offending flag.
 * Commands exit 2 on a UsageError, printing its message and their usage.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs with the shared rules: strict, no positionals unless asked. parseArgs' own errors
 * ("Unknown option '--foo'", "Option '--stack <value>' argument missing") become UsageErrors.
 */
export function parseCommandLine<O extends Options, T extends boolean = false>(argv: string[], options: O, extra?: { tokens: T }) {
  const config = { args: argv, options, strict: true as const, allowPositionals: false as const, tokens: (extra?.tokens ?? false) as T };
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
