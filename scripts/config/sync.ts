import * as fs from "node:fs";
import * as path from "node:path";
import { renderProjectFile, withConfigReference } from "./project-file";

// `npm run config:sync`: rewrites Pulumi.yaml's config block and the README's reference table from the schema.
const root = path.resolve(__dirname, "..", "..");
fs.writeFileSync(path.join(root, "Pulumi.yaml"), renderProjectFile());
const readme = path.join(root, "README.md");
fs.writeFileSync(readme, withConfigReference(fs.readFileSync(readme, "utf8")));
console.log("wrote Pulumi.yaml and the README configuration reference");
