import { validationNames } from "../../../infra/edge/certificates";

describe("validationNames", () => {
  it("keeps one name per distinct validation record", () => {
    expect(validationNames("origin.example.com", ["edge.example.com"])).toEqual(["origin.example.com", "edge.example.com"]);
  });

  it("folds a wildcard onto its base name and drops repeats", () => {
    expect(validationNames("example.com", ["*.example.com", "www.example.com", "example.com"])).toEqual(["example.com", "www.example.com"]);
    expect(validationNames("*.example.com", ["example.com"])).toEqual(["*.example.com"]);
  });
});
