import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: "Bot" | "User" };
}
interface UpsertModule {
  MARKER: string;
  COMMENT_LIMIT: number;
  boundBody(raw: string): string;
  postPlanComment(args: { github: unknown; context: unknown; core?: unknown; dir: string; headSha: string }): Promise<{ action: string; id: number }>;
}
// The script is the plain CommonJS file actions/github-script loads; require it as the workflow does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MARKER, COMMENT_LIMIT, boundBody, postPlanComment } = require("../../.github/scripts/upsert-comment.js") as UpsertModule;

/** A stand-in for actions/github-script's `github` that serves comments 100 per page, like the API. */
function fakeGitHub(comments: Comment[], prHeadSha: string) {
  const calls = { pagesRead: 0, updated: [] as { comment_id: number; body: string }[], created: [] as { issue_number: number; body: string }[] };
  const listComments = async ({ page = 1, per_page = 30 }: { page?: number; per_page?: number }) => {
    calls.pagesRead += 1;
    return { data: comments.slice((page - 1) * per_page, page * per_page) };
  };
  const github = {
    rest: {
      issues: {
        listComments,
        updateComment: async (p: { comment_id: number; body: string }) => {
          calls.updated.push(p);
          return { data: { id: p.comment_id } };
        },
        createComment: async (p: { issue_number: number; body: string }) => {
          calls.created.push(p);
          return { data: { id: 9999 } };
        },
      },
      pulls: { get: async () => ({ data: { head: { sha: prHeadSha } } }) },
    },
    // Same contract as Octokit's paginate: keep asking for pages until a short one comes back.
    paginate: async (method: typeof listComments, params: { per_page: number }) => {
      const all: Comment[] = [];
      for (let page = 1; ; page++) {
        const { data } = await method({ ...params, page });
        all.push(...data);
        if (data.length < params.per_page) return all;
      }
    },
  };
  return { github, calls };
}

const context = { repo: { owner: "acme", repo: "edgestack" } };
const human = (id: number, body = "looks good"): Comment => ({ id, body, user: { login: "alice", type: "User" } });
const bot = (id: number, body: string): Comment => ({ id, body, user: { login: "github-actions[bot]", type: "Bot" } });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "plan-comment-"));
  await writeFile(join(dir, "pr-number"), "42\n");
  await writeFile(join(dir, "comment.md"), `${MARKER}\n\n**Plan \`dev\`** +1 ~0 −0 (3 unchanged)\n`);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("postPlanComment", () => {
  it("updates the marked comment even when it is on the third page of comments", async () => {
    const comments = [...Array.from({ length: 230 }, (_, i) => human(i + 1)), bot(500, `${MARKER}\nold plan`), human(501)];
    const { github, calls } = fakeGitHub(comments, "abc123");
    const result = await postPlanComment({ github, context, dir, headSha: "abc123" });
    expect(result).toEqual({ action: "updated", id: 500 });
    expect(calls.pagesRead).toBe(3);
    expect(calls.created).toEqual([]);
    expect(calls.updated).toEqual([{ owner: "acme", repo: "edgestack", comment_id: 500, body: expect.stringContaining("+1 ~0 −0") }]);
  });

  it("creates the comment when none exists, and never edits a person's comment quoting the marker", async () => {
    const { github, calls } = fakeGitHub([human(1, `${MARKER} copied by hand`)], "abc123");
    const result = await postPlanComment({ github, context, dir, headSha: "abc123" });
    expect(result.action).toBe("created");
    expect(calls.updated).toEqual([]);
    expect(calls.created[0]).toMatchObject({ issue_number: 42 });
  });

  it("refuses an artifact that names a PR whose head is not the commit the run built", async () => {
    const { github, calls } = fakeGitHub([], "someone-elses-sha");
    await expect(postPlanComment({ github, context, dir, headSha: "abc123" })).rejects.toThrow(/not commenting/);
    expect(calls.created).toEqual([]);
  });

  it.each(["42; rm -rf /", "-1", "", "0x2a"])("rejects a pr-number of %j", async (bad) => {
    await writeFile(join(dir, "pr-number"), bad);
    const { github } = fakeGitHub([], "abc123");
    await expect(postPlanComment({ github, context, dir, headSha: "abc123" })).rejects.toThrow(/not a PR number/);
  });

  it("refuses symlinks in the artifact (they could point at runner files)", async () => {
    await rm(join(dir, "comment.md"));
    await symlink("/etc/hostname", join(dir, "comment.md"));
    const { github, calls } = fakeGitHub([], "abc123");
    await expect(postPlanComment({ github, context, dir, headSha: "abc123" })).rejects.toThrow(/not a regular file/);
    expect(calls.created).toEqual([]);
  });
});

describe("boundBody", () => {
  it("adds the marker when missing and cuts oversized bodies to the limit", () => {
    expect(boundBody("hello").startsWith(`${MARKER}\n`)).toBe(true);
    const huge = boundBody(`${MARKER}\n${"🌈".repeat(50_000)}`);
    expect(huge.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(huge).toContain("Comment cut to GitHub's size limit");
    expect(huge).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
