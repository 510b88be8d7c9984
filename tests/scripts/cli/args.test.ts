import { parseCommandLine, UsageError } from "../../../scripts/cli/args";

const options = { stack: { type: "string" }, json: { type: "boolean" }, paths: { type: "string", multiple: true } } as const;

describe("parseCommandLine", () => {
  it("parses flags with node:util parseArgs", () => {
    expect(parseCommandLine(["--stack", "dev", "--json", "--paths", "/a", "--paths", "/b"], options).values).toEqual({ stack: "dev", json: true, paths: ["/a", "/b"] });
  });

  it.each([
    [["--stak", "dev"], "--stak"],
    [["--stack"], "--stack"],
    [["dev"], "dev"],
    [["--json=yes"], "--json"],
  ])("refuses %j with a UsageError naming %s", (argv, offending) => {
    expect(() => parseCommandLine(argv, options)).toThrow(UsageError);
    expect(() => parseCommandLine(argv, options)).toThrow(offending);
  });

  it("hands out tokens when asked (flags that belong to the one before them)", () => {
    const { tokens } = parseCommandLine(["--stack", "dev", "--paths", "/a"], options, { tokens: true });
    expect(tokens.filter((t) => t.kind === "option").map((t) => t.name)).toEqual(["stack", "paths"]);
  });
});
