/**
 * Rehearses app/Dockerfile without a Docker engine (there is none on this machine): every stage
 * gets its own directory standing for its root file system, and its instructions run in order —
 * WORKDIR, ENV, COPY from the build context or `--from` an earlier stage, RUN through `sh -c` with
 * the stage's environment. What it cannot do is the base image: RUN uses this machine's Node
 * (the same major as `node:20-slim`) and USER is only reported, not switched to. The
 * .dockerignore file is not applied: the app's COPY sources name files and folders it would not
 * exclude anyway.
 *
 * The result is the final stage's file system, working directory, environment, command, user and
 * health check, so a test can start the image's command the way the container would and see that
 * the runtime stage holds everything the app needs, and nothing it should not.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Copy, DockerfileParser, From, type Instruction, type JSONInstruction, type PropertyInstruction } from "dockerfile-ast";

export interface RehearsedImage {
  /** Everything the rehearsal wrote (all stages); remove it when done. */
  dir: string;
  /** The final stage's root directory (stands for "/"). */
  root: string;
  /** WORKDIR of the final stage, as a path on this machine. */
  workdir: string;
  /** ENV of the final stage. */
  env: Record<string, string>;
  /** CMD (exec form). */
  cmd: string[];
  /** HEALTHCHECK CMD (exec form), if any. */
  healthcheck: string[] | undefined;
  /** USER as written. */
  user: string | undefined;
  stopSignal: string | undefined;
}

interface Stage {
  name: string | undefined;
  root: string;
  workdir: string;
  env: Record<string, string>;
}

export class DockerfileError extends Error {}

/** The exec form's strings (`["node", "x.js"]`); shell form is refused: the app's image uses exec form only. */
function execForm(instruction: Instruction, keyword: string): string[] {
  const json = (instruction as JSONInstruction).getJSONStrings?.() ?? [];
  if (json.length === 0) throw new DockerfileError(`${keyword} at line ${instruction.getRange().start.line + 1}: only the exec form (a JSON array) is supported`);
  return json.map((s) => s.getJSONValue());
}

/**
 * Runs every stage of `dockerfile` with `context` as the build context, in a fresh directory
 * under the system temp dir (`dir` of the result; the caller removes it).
 */
export function rehearseDockerfile(dockerfile: string, context: string, log: (line: string) => void = () => undefined): RehearsedImage {
  const parsed = DockerfileParser.parse(readFileSync(dockerfile, "utf8"));
  const base = mkdtempSync(path.join(tmpdir(), "edgestack-image-"));
  try {
    return runStages(parsed.getInstructions(), base, dockerfile, context, log);
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    throw err;
  }
}

function runStages(instructions: Instruction[], base: string, dockerfile: string, context: string, log: (line: string) => void): RehearsedImage {
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  let cmd: string[] = [];
  let healthcheck: string[] | undefined;
  let user: string | undefined;
  let stopSignal: string | undefined;
  const inStage = (p: string, s: Stage) => path.join(s.root, path.posix.resolve(s.workdir, p));

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((a) => a.getValue());
    const where = `${path.basename(dockerfile)}:${instruction.getRange().start.line + 1}`;
    if (instruction instanceof From) {
      const name = instruction.getBuildStage() ?? undefined;
      stage = { name, root: path.join(base, `stage-${stages.length}`), workdir: "/", env: {} };
      mkdirSync(stage.root, { recursive: true });
      stages.push(stage);
      [cmd, healthcheck, user, stopSignal] = [[], undefined, undefined, undefined];
      log(`stage ${stages.length}${name ? ` (${name})` : ""}: FROM ${args[0]} (this machine's Node ${process.version} stands in)`);
      continue;
    }
    if (stage === undefined) throw new DockerfileError(`${where}: ${keyword} before FROM`);
    const current = stage;
    switch (keyword) {
      case "WORKDIR":
        current.workdir = path.posix.resolve(current.workdir, args[0]!);
        mkdirSync(path.join(current.root, current.workdir), { recursive: true });
        break;
      case "ENV":
        for (const p of (instruction as PropertyInstruction).getProperties()) current.env[p.getName()] = p.getValue() ?? "";
        break;
      case "COPY": {
        const from = (instruction as Copy).getFlags().find((f) => f.getName() === "from")?.getValue() ?? undefined;
        const source = from === undefined ? undefined : stages.find((s) => s.name === from);
        if (from !== undefined && source === undefined) throw new DockerfileError(`${where}: COPY --from=${from}: no earlier stage of that name`);
        const sources = args.slice(0, -1);
        const target = inStage(args[args.length - 1]!, current);
        const intoDir = args[args.length - 1]!.endsWith("/") || sources.length > 1;
        for (const src of sources) {
          const origin = source === undefined ? path.join(context, src) : path.join(source.root, path.posix.resolve(source.workdir, src));
          const dest = intoDir ? path.join(target, path.basename(src)) : target;
          mkdirSync(path.dirname(dest), { recursive: true });
          try {
            cpSync(origin, dest, { recursive: true, verbatimSymlinks: true });
          } catch (err) {
            throw new DockerfileError(`${where}: COPY ${src}: ${(err as Error).message}`);
          }
        }
        break;
      }
      case "RUN": {
        const script = instruction.getArgumentsContent() ?? "";
        log(`RUN ${script}`);
        try {
          execFileSync("sh", ["-c", script], {
            cwd: path.join(current.root, current.workdir),
            // A container's environment: the image's ENV, not this shell's (npm_config_* of a
            // surrounding `npm test` would change what npm ci does). HOME keeps npm's cache.
            env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? base, ...current.env },
            stdio: ["ignore", "pipe", "pipe"],
          });
        } catch (err) {
          const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
          throw new DockerfileError(`${where}: RUN ${script} failed: ${e.stderr?.toString().slice(-2000) ?? e.message}`);
        }
        break;
      }
      case "CMD":
        cmd = execForm(instruction, keyword);
        break;
      case "HEALTHCHECK": {
        const content = instruction.getArgumentsContent() ?? "";
        const json = content.slice(content.indexOf("CMD") + 3).trim();
        healthcheck = JSON.parse(json) as string[];
        break;
      }
      case "USER":
        user = args[0];
        break;
      case "STOPSIGNAL":
        stopSignal = args[0];
        break;
      case "EXPOSE":
        break;
      default:
        throw new DockerfileError(`${where}: ${keyword} is not supported by the rehearsal`);
    }
  }
  if (stage === undefined) throw new DockerfileError(`${dockerfile}: no FROM`);
  return { dir: base, root: stage.root, workdir: path.join(stage.root, stage.workdir), env: stage.env, cmd, healthcheck, user, stopSignal };
}
