import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DockerfileError, rehearseDockerfile } from "../../../local/image/rehearse";

let context: string;
const made: string[] = [];

beforeEach(() => {
  context = mkdtempSync(path.join(tmpdir(), "edgestack-ctx-"));
  mkdirSync(path.join(context, "src"));
  writeFileSync(path.join(context, "src", "hello.txt"), "hello\n");
});

afterEach(() => {
  rmSync(context, { recursive: true, force: true });
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function rehearse(text: string) {
  const file = path.join(context, "Dockerfile");
  writeFileSync(file, text);
  const image = rehearseDockerfile(file, context);
  made.push(image.dir);
  return image;
}

test("stages run in order: WORKDIR, ENV, RUN with the stage's environment, COPY from the context and --from a stage", () => {
  const image = rehearse(
    [
      "FROM node:20-slim AS build",
      "WORKDIR /work",
      "ENV GREETING=hi",
      "COPY src/hello.txt ./",
      'RUN mkdir out && cat hello.txt > out/a.txt && printf "%s" "$GREETING" > out/b.txt',
      "FROM node:20-slim",
      "ENV MODE=production",
      "WORKDIR /app",
      "COPY --from=build /work/out ./out",
      "USER 1000:1000",
      "STOPSIGNAL SIGTERM",
      'CMD ["node", "main.js"]',
    ].join("\n"),
  );
  expect(readFileSync(path.join(image.workdir, "out/a.txt"), "utf8")).toBe("hello\n");
  expect(readFileSync(path.join(image.workdir, "out/b.txt"), "utf8")).toBe("hi");
  // The final stage starts from nothing: the build stage's ENV does not leak into it.
  expect(image.env).toEqual({ MODE: "production" });
  expect(image).toMatchObject({ cmd: ["node", "main.js"], user: "1000:1000", stopSignal: "SIGTERM", healthcheck: undefined });
  expect(image.workdir).toBe(path.join(image.root, "app"));
});

test("errors name the Dockerfile line: unknown stage, failing RUN, unsupported instruction, shell-form CMD", () => {
  expect(() => rehearse("FROM node:20-slim\nCOPY --from=nowhere /x ./")).toThrow(/Dockerfile:2: COPY --from=nowhere: no earlier stage/);
  expect(() => rehearse("FROM node:20-slim\nRUN echo broken >&2; exit 3")).toThrow(/Dockerfile:2: RUN .* failed: broken/);
  expect(() => rehearse("FROM node:20-slim\nVOLUME /data")).toThrow(/Dockerfile:2: VOLUME is not supported/);
  expect(() => rehearse("FROM node:20-slim\nCMD node main.js")).toThrow(DockerfileError);
});
