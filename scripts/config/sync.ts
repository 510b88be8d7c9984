import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_REFERENCE_FILE, renderProjectFile, withConfigReference } from "./project-file";

// `npm run config:sync`: rewrites Pulumi.yaml's config block and docs/configuration.md's reference table from the schema.
const root = path.resolve(__dirname, "..", "..");
fs.writeFileSync(path.join(root, "Pulumi.yaml"), renderProjectFile());
const reference = path.join(root, CONFIG_REFERENCE_FILE);
fs.writeFileSync(reference, withConfigReference(fs.readFileSync(reference, "utf8")));
console.log(`wrote Pulumi.yaml and the configuration reference in ${CONFIG_REFERENCE_FILE}`);
