// Posts the offline plan comment that pr.yml rendered, from the privileged pr-comment.yml job.
// Everything read from the artifact is untrusted (a fork's pull_request run produced it): it is
// only ever used as data — a validated PR number and a size-bounded comment body — never run.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

/** Must equal COMMENT_MARKER in offline/plan/render-diff.ts (checked by tests/workflows). */
const MARKER = "<!-- edgestack-plan -->";
/** The credentialed comment of preview.yml: KEYED_COMMENT_MARKER in offline/plan/render-diff.ts. */
const KEYED_MARKER = "<!-- edgestack-plan-keyed -->";
/** GitHub's comment body limit (see offline/plan/render-diff.ts for how it is counted). */
const COMMENT_LIMIT = 65536;
/** Refuse to even read artifact files larger than this. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Reads a regular file (not a symlink) of bounded size from the downloaded artifact. */
function readArtifactFile(dir, name) {
  const file = path.join(dir, name);
  const stat = fs.lstatSync(file);
  if (!stat.isFile()) throw new Error(`artifact entry ${name} is not a regular file`);
  if (stat.size > MAX_FILE_BYTES) throw new Error(`artifact entry ${name} is ${stat.size} bytes (max ${MAX_FILE_BYTES})`);
  return fs.readFileSync(file, "utf8");
}

/** Forces the marker first and the body within GitHub's limit, whatever the artifact held. */
function boundBody(raw, marker = MARKER) {
  let body = raw.startsWith(marker) ? raw : `${marker}\n${raw}`;
  if (body.length > COMMENT_LIMIT) {
    const note = "\n\n✂️ Comment cut to GitHub's size limit.\n";
    let end = COMMENT_LIMIT - note.length;
    const code = body.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1; // keep surrogate pairs whole
    body = body.slice(0, end) + note;
  }
  return body;
}

/**
 * Finds our earlier comment on the PR — searching every page, since busy PRs have more than
 * one page of comments — and edits it, or creates it if there is none. Only bot-authored
 * comments that start with the marker count, so a person quoting the marker is never edited.
 */
async function upsertComment({ github, owner, repo, issueNumber, body, marker = MARKER }) {
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const existing = comments.find(
    (c) => c.user && c.user.type === "Bot" && typeof c.body === "string" && c.body.startsWith(marker),
  );
  if (existing) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
    return { action: "updated", id: existing.id };
  }
  const created = await github.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
  return { action: "created", id: created.data.id };
}

/**
 * Entry point for actions/github-script in pr-comment.yml. `headSha` is the triggering run's
 * head commit, taken from the workflow_run event (trusted), not from the artifact.
 */
async function postPlanComment({ github, context, core, dir, headSha }) {
  const prText = readArtifactFile(dir, "pr-number").trim();
  if (!/^[1-9][0-9]{0,9}$/.test(prText)) throw new Error(`artifact pr-number is not a PR number: ${JSON.stringify(prText.slice(0, 40))}`);
  const issueNumber = Number(prText);
  const { owner, repo } = context.repo;

  // A fork controls the artifact, so it could name someone else's PR: only accept the PR whose
  // head is the commit the triggering run actually built.
  const pr = await github.rest.pulls.get({ owner, repo, pull_number: issueNumber });
  if (pr.data.head.sha !== headSha) {
    throw new Error(`PR #${issueNumber} head is ${pr.data.head.sha}, but the run built ${headSha}; not commenting`);
  }
  const body = boundBody(readArtifactFile(dir, "comment.md"));
  const result = await upsertComment({ github, owner, repo, issueNumber, body });
  if (core) core.info(`${result.action} plan comment ${result.id} on PR #${issueNumber}`);
  return result;
}

/**
 * Entry point for actions/github-script in preview.yml's keyed job: the comment it rendered itself
 * (same-repository PRs only), under its own marker so it never edits pr.yml's comment.
 */
async function postKeyedComment({ github, context, core, file }) {
  const { owner, repo } = context.repo;
  const body = boundBody(fs.readFileSync(file, "utf8"), KEYED_MARKER);
  const result = await upsertComment({ github, owner, repo, issueNumber: context.issue.number, body, marker: KEYED_MARKER });
  if (core) core.info(`${result.action} keyed plan comment ${result.id} on PR #${context.issue.number}`);
  return result;
}

module.exports = { MARKER, KEYED_MARKER, COMMENT_LIMIT, boundBody, upsertComment, postPlanComment, postKeyedComment };
