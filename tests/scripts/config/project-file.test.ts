import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { fields } from "../../../infra/config/schema";
import { CONFIG_REFERENCE_FILE, renderProjectFile, withConfigReference } from "../../../scripts/config/project-file";

const projectFile = path.resolve(__dirname, "../../../Pulumi.yaml");

describe("Pulumi.yaml", () => {
  it("is exactly what the schema generates (run `npm run config:sync` after changing the schema)", () => {
    expect(fs.readFileSync(projectFile, "utf8")).toBe(renderProjectFile());
  });

  it("declares every key with a type and a description, and a default for all but the domain", () => {
    const doc = parse(fs.readFileSync(projectFile, "utf8"));
    expect(doc.name).toBe("edgestack");
    expect(doc.runtime).toEqual({ name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
    const declared = Object.keys(doc.config).filter((k) => k.startsWith("edgestack:"));
    expect(declared.sort()).toEqual(Object.keys(fields).map((k) => `edgestack:${k}`).sort());
    for (const [key, entry] of Object.entries<Record<string, unknown>>(doc.config).filter(([k]) => k.startsWith("edgestack:"))) {
      expect(["string", "integer", "boolean", "array"]).toContain(entry.type);
      expect(typeof entry.description).toBe("string");
      expect("default" in entry).toBe(key !== "edgestack:domain");
    }
  });

  it("disables the default aws, kubernetes and random providers for every stack", () => {
    const doc = parse(fs.readFileSync(projectFile, "utf8"));
    expect(doc.config["pulumi:disable-default-providers"]).toEqual({ value: ["aws", "kubernetes", "random"] });
    expect(Object.keys(doc.config).filter((k) => !k.startsWith("edgestack:"))).toEqual(["pulumi:disable-default-providers"]);
  });
});

describe("the configuration reference (docs/configuration.md)", () => {
  it("is the table the schema generates", () => {
    const page = fs.readFileSync(path.resolve(__dirname, "../../..", CONFIG_REFERENCE_FILE), "utf8");
    expect(withConfigReference(page)).toBe(page);
    for (const name of Object.keys(fields)) expect(page).toContain(`| \`edgestack:${name}\` |`);
  });

  it("is linked from the README", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, "../../../README.md"), "utf8");
    expect(readme).toContain(`](${CONFIG_REFERENCE_FILE})`);
  });
});
