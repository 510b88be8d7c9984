/**
 * The field's scanners as the peer tests run them: checkov and parliament from the virtualenvs scripts/peers/install.sh
 * puts under ${EDGESTACK_CACHE:-~/.cache/edgestack}/<tool>-<version> (the version is the lock file's `<tool>==X`).
 * A missing tool is an error that says how to install it, never a skipped test.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const root = path.resolve(__dirname, "../../..");
const run = promisify(execFile);

export type PeerTool = "checkov" | "parliament";

/** The version a tool's lock file pins. */
export function peerVersion(tool: PeerTool): string {
  const lock = readFileSync(path.join(root, "scripts/peers", `requirements-${tool}.txt`), "utf8");
  const m = new RegExp(`^${tool}==(\\S+)`, "m").exec(lock);
  if (!m) throw new Error(`scripts/peers/requirements-${tool}.txt pins no ${tool}==<version>`);
  return m[1];
}

/** The folder of a tool's virtualenv; throws, saying how to install it, when it is missing. */
export function peerHome(tool: PeerTool): string {
  const cache = process.env.EDGESTACK_CACHE ?? path.join(os.homedir(), ".cache/edgestack");
  const dir = path.join(cache, `${tool}-${peerVersion(tool)}`);
  if (!existsSync(path.join(dir, "bin", tool)) || !existsSync(path.join(dir, ".lock-sha256"))) {
    throw new Error(`${tool} ${peerVersion(tool)} is not installed in ${dir}: run scripts/setup.sh (or bash scripts/peers/install.sh)`);
  }
  return dir;
}

export interface CheckovResult {
  framework: "terraform_plan" | "kubernetes";
  checkId: string;
  checkName: string;
  result: "passed" | "failed";
  /** The scanned file, relative to the scanned folder, e.g. `/prod/tfplan.json`. */
  file: string;
  /** Terraform address (`aws_lb.alb-lb`) or Kubernetes `Kind.namespace.name`. */
  resource: string;
}

export interface CheckovRun {
  results: CheckovResult[];
  /** Per framework: resources read and files it could not parse. */
  summary: Record<string, { resourceCount: number; parsingErrors: number }>;
}

interface CheckovCheck {
  check_id: string;
  check_name: string;
  file_path: string;
  resource: string;
}

/** Runs checkov once over a folder (its Terraform plan JSON files and Kubernetes manifests), offline. */
export async function runCheckov(dir: string, frameworks: CheckovResult["framework"][] = ["terraform_plan", "kubernetes"]): Promise<CheckovRun> {
  const home = peerHome("checkov");
  const { stdout } = await run(path.join(home, "bin/checkov"), ["-d", dir, "--framework", ...frameworks, "-o", "json", "--compact", "--skip-download", "--soft-fail"], {
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, LOG_LEVEL: "ERROR", BC_SKIP_MAPPING: "TRUE", CHECKOV_NO_OUTPUT_COLOR: "1", ANSI_COLORS_DISABLED: "1" },
  });
  const parsed = JSON.parse(stdout) as unknown;
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as { check_type: string; results: { passed_checks?: CheckovCheck[]; failed_checks?: CheckovCheck[] }; summary: { resource_count: number; parsing_errors: number } }[];
  const out: CheckovRun = { results: [], summary: {} };
  for (const report of reports) {
    if (!report.check_type) continue; // an empty scan prints a bare summary
    const framework = report.check_type as CheckovResult["framework"];
    out.summary[framework] = { resourceCount: report.summary.resource_count, parsingErrors: report.summary.parsing_errors };
    for (const [result, list] of [["passed", report.results.passed_checks], ["failed", report.results.failed_checks]] as const) {
      for (const c of list ?? []) out.results.push({ framework, checkId: c.check_id, checkName: c.check_name, result, file: c.file_path, resource: c.resource });
    }
  }
  return out;
}

export interface ParliamentFinding {
  id: string;
  issue: string;
  severity: string;
  title: string;
  detail: unknown;
}

/** Runs parliament once over policy documents (community auditors included), findings of severity LOW and up. */
export async function runParliament(docs: { id: string; document: unknown }[]): Promise<ParliamentFinding[]> {
  const home = peerHome("parliament");
  const child = execFile(path.join(home, "bin/python"), [path.join(__dirname, "parliament_scan.py")], { maxBuffer: 64 * 1024 * 1024 });
  const done = new Promise<string>((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`parliament exited ${code}: ${err.slice(-2000)}`))));
  });
  child.stdin!.end(JSON.stringify(docs));
  return JSON.parse(await done) as ParliamentFinding[];
}

/** checkov's graph checks that list every resource type (generic account checks) apply to no type in particular. */
export const GENERIC_GRAPH_CHECK_TYPES = 100;

export interface CatalogueEntry {
  framework: "terraform" | "kubernetes";
  id: string;
  name: string;
  /** A graph check (YAML/JSON definition, may read connected resources) rather than a resource check. */
  graph: boolean;
  types: string[];
}

/** The installed checkov's check catalogue (resource and graph checks) for Terraform and Kubernetes. */
export async function checkovCatalogue(): Promise<CatalogueEntry[]> {
  const home = peerHome("checkov");
  const { stdout } = await run(path.join(home, "bin/python"), [path.join(__dirname, "checkov_catalogue.py")], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: "ERROR" } });
  return JSON.parse(stdout) as CatalogueEntry[];
}
