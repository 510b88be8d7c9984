import * as fs from "node:fs";
import * as path from "node:path";
import { renderProjectFile } from "./project-file";

// `npm run config:sync`: rewrites Pulumi.yaml from the schema.
const target = path.resolve(__dirname, "..", "..", "Pulumi.yaml");
fs.writeFileSync(target, renderProjectFile());
console.log(`wrote ${target}`);
