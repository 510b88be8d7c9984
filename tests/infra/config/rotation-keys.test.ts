import { parseStackConfig } from "../../../infra/config/schema";
import { configProblems as problems } from "../../harness/config";

const base = { "aws:region": "eu-west-1", "edgestack:domain": "shop.acme.io", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/d", "edgestack:apiKeyNames": '["partner-a"]' };

it("API key generations name configured keys, from generation 2, once each", () => {
  expect(parseStackConfig({ ...base, "edgestack:apiKeyGenerations": '["partner-a:2"]', "edgestack:apiKeyAcceptPrevious": '["partner-a"]' }, "dev").apiKeyGenerations).toEqual(["partner-a:2"]);
  expect(problems({ ...base, "edgestack:apiKeyGenerations": '["partner-b:2"]' })).toEqual(['edgestack:apiKeyGenerations: "partner-b" is not in edgestack:apiKeyNames (["partner-a"])']);
  expect(problems({ ...base, "edgestack:apiKeyGenerations": '["partner-a:1"]' })[0]).toMatch(/^edgestack:apiKeyGenerations\[0\]: "partner-a:1" is not <apiKeyName>:<generation>/);
  expect(problems({ ...base, "edgestack:apiKeyGenerations": '["partner-a:2","partner-a:3"]' })).toEqual([expect.stringMatching(/names a key twice/)]);
});

it("accepting a previous key needs a rotated key", () => {
  expect(problems({ ...base, "edgestack:apiKeyAcceptPrevious": '["partner-a"]' })).toEqual([
    'edgestack:apiKeyAcceptPrevious: "partner-a" has no generation above 1 in edgestack:apiKeyGenerations, so there is no previous key',
  ]);
});

it("the Redis token rotation is a generation and an ElastiCache strategy", () => {
  const c = parseStackConfig({ ...base, "edgestack:cacheAuthTokenGeneration": "2", "edgestack:cacheAuthTokenUpdateStrategy": "SET" }, "dev");
  expect([c.cacheAuthTokenGeneration, c.cacheAuthTokenUpdateStrategy]).toEqual([2, "SET"]);
  expect(problems({ ...base, "edgestack:cacheAuthTokenUpdateStrategy": "DELETE" })[0]).toMatch(/is not allowed; use one of "ROTATE", "SET"/);
});
