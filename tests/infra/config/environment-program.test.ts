/**
 * The program itself refuses a stack whose name and config disagree, before any resource exists:
 * `prod-canary` with dev config, run through the offline engine as `pulumi up` would load it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { runStack } from "../../../offline/engine/engine";

it("refuses prod-canary with environment: dev at program start, naming the key", async () => {
  const root = path.resolve(__dirname, "../../..");
  const doc = parse(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prod-canary-"));
  const file = path.join(dir, "Pulumi.prod-canary.yaml");
  fs.writeFileSync(file, stringify(doc));
  await expect(runStack({ stack: "prod-canary", stackFile: file })).rejects.toThrow(
    /edgestack:environment: stack "prod-canary" is prod by its name, but its config sets environment "dev"/,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
