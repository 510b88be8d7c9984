/**
 * The config layer is the boundary every component reads: it imports no component. Its files import
 * only each other, the contract package, the naming rules and libraries.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const CONFIG_DIR = path.join(__dirname, "../../../infra/config");
const ALLOWED_OUTSIDE = new Set([path.join(CONFIG_DIR, "../naming")]);

it("infra/config imports no component", () => {
  const offending: string[] = [];
  for (const file of readdirSync(CONFIG_DIR).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(path.join(CONFIG_DIR, file), "utf8");
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = path.resolve(CONFIG_DIR, fileName);
      if (path.dirname(target) !== CONFIG_DIR && !ALLOWED_OUTSIDE.has(target)) offending.push(`infra/config/${file} imports ${fileName}`);
    }
  }
  expect(offending).toEqual([]);
});
