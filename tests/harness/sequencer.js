/**
 * jest's order of test files: a file that failed last time first, then the longest first, so no long file starts
 * last while the other worker sits idle. jest knows a file's time only from its cache of an earlier run, and a
 * fresh clone (CI) has none: there jest would order by file size, which puts the red team's short files (a few lines
 * that judge thousands of cases) last. The files below are the slow ones of a CI run (seconds, on two busy cores);
 * a file neither cached nor listed comes after them, larger files first. List a new file here when it takes more
 * than ~15 s in CI.
 */
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

const KNOWN_SECONDS = {
  "tests/policies/redteam/blind-rounds.test.ts": 96,
  "tests/e2e/failover.test.ts": 77,
  "tests/policies/redteam/redteam.test.ts": 70,
  "tests/infra/observability/rules.test.ts": 69,
  "tests/e2e/redis-outage.test.ts": 66,
  "tests/policies/redteam/blind-round7.test.ts": 62,
  "tests/policies/redteam/blind-round8-aws.test.ts": 60,
  "tests/policies/redteam/blind-round8-k8s.test.ts": 60,
  "tests/policies/redteam/blind-round9-rt9k8s.test.ts": 35,
  "tests/policies/redteam/blind-round9-rt9harm.test.ts": 65,
  "tests/policies/redteam/blind-round9-rt9doc.test.ts": 33,
  "tests/policies/redteam/blind-round9-rt9issue.test.ts": 27,
  "tests/policies/redteam/blind-round9-rt9aws.test.ts": 26,
  "tests/policies/redteam/blind-round9-rt9edge.test.ts": 22,
  "tests/scripts/node24/app-tests.test.ts": 61,
  "tests/e2e/observe.test.ts": 57,
  "tests/e2e/client-ip.test.ts": 45,
  "tests/local/cli.test.ts": 41,
  "tests/e2e/canary.test.ts": 32,
  "tests/app/image.test.ts": 28,
  "tests/e2e/reload-drain.test.ts": 25,
  "tests/e2e/distribution.test.ts": 24,
  "tests/e2e/hung-dependencies.test.ts": 23,
  "tests/e2e/nlb-trust.test.ts": 20,
  "tests/e2e/redis-cluster.test.ts": 20,
  "tests/index.test.ts": 20,
  "tests/policies/pack.test.ts": 19,
  "tests/infra/nginx/resolve-behaviour.test.ts": 18,
  "tests/app/logBudget.test.ts": 18,
  "tests/policies/peers/peers.test.ts": 18,
  "tests/offline/policy/stacks-prod.test.ts": 16,
  "tests/e2e/websocket.test.ts": 16,
  "tests/offline/policy/stacks.test.ts": 16,
};

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const size = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    for (const test of tests) {
      const known = KNOWN_SECONDS[path.relative(test.context.config.rootDir, test.path).split(path.sep).join("/")];
      test.duration = this.time(test) ?? (known === undefined ? undefined : known * 1000);
    }
    return tests.sort((a, b) => {
      const failed = Number(this.hasFailed(b)) - Number(this.hasFailed(a));
      if (failed !== 0) return failed;
      const time = (b.duration ?? 0) - (a.duration ?? 0);
      return time !== 0 ? time : size(b) - size(a);
    });
  }
}

module.exports = SlowFirstSequencer;
