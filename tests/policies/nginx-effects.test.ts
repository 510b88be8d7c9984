import { clientChosenOrigin } from "../../policies/rules/nginx-effects";
import { blocksNamed, parseNginx } from "../../policies/semantics/nginx";
import { nginxEffectCases } from "./fixtures/nginx-effects";
import { runCases } from "./fixtures/run";

// nginx-conf-effects' pass and fail fixtures (policies/rules/nginx-effects.ts).
runCases(nginxEffectCases);

describe("clientChosenOrigin", () => {
  const http = blocksNamed(parseNginx(`http { map $host $name { default example.com; } map $http_x_to $to { default $http_x_to; } }`), "http")[0]!;
  it.each([
    ["https://$name$request_uri", []],
    ["/static/$uri", []],
    ["https://$http_host/", ["$http_host"]],
    ["$arg_next", ["$arg_next"]],
    ["/$request_uri", ["$request_uri"]],
    ["//$to/x", ["$http_x_to"]],
    ["$scheme://$host$request_uri", []],
  ])("%s → %p", (target, chosen) => {
    expect(clientChosenOrigin(http, target)).toEqual(chosen);
  });
});
