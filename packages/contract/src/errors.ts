/**
 * Bad configuration, as one error type for every reader of it: the stack config, the app's
 * environment, the local data plane's settings. Each problem names the offending key (or variable)
 * and value; the message lists them all under `heading`.
 *
 * A Pulumi program runner recognises a `RunError` by its `__pulumiRunError` marker (the SDK's
 * `RunError.isInstance`) and then prints the message alone, without a stack trace, as for any error
 * the user fixes in config rather than in code. The contract depends on no Pulumi package (the app
 * imports it), so the error carries the marker instead of extending the SDK's class.
 */
export class ConfigError extends Error {
  readonly __pulumiRunError = true;

  constructor(
    readonly problems: string[],
    heading = "Invalid stack configuration",
  ) {
    super(`${heading}:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}
