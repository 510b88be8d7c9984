import { credentialInText, credentialValuesIn, credentialName, literalCredential } from "../../../policies/semantics/credentials";

describe("credentialName", () => {
  it.each(["REDIS_PASSWORD", "DB_PASSWD", "apiKey", "API_KEY", "X_API_KEYS", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "clientSecret", "SIGNING_KEY", "npm-token", "PRIVATE_KEY", "credentials", "AUTH_KEY"])("%s holds a credential", (n) => {
    expect(credentialName(n)).toBe(true);
  });
  it.each(["REDIS_URL_FILE", "API_KEY_HASHES_FILE", "TOKEN_PATH", "SECRET_NAME", "KMS_KEY_ARN", "CACHE_KEY_PREFIX", "RATE_LIMIT_MAX", "TRUST_PROXY_CIDRS", "KEYBOARD", "TOKENIZER_MODEL_DIR", "PORT", "secretRef"])("%s does not", (n) => {
    expect(credentialName(n)).toBe(false);
  });
});

describe("literalCredential", () => {
  it("finds credentials by value whatever the name", () => {
    expect(literalCredential("X", "AKIAIOSFODNN7EXAMPLE")).toBe("an AWS access key id");
    expect(literalCredential("CONFIG", "-----BEGIN RSA PRIVATE KEY-----\nMII")).toBe("a private key");
    expect(literalCredential("REDIS_URL", "rediss://default:hunter2@cache:6379")).toBe("a password inside a URL");
    expect(literalCredential("HOOK", "ghp_" + "a".repeat(36))).toBe("a GitHub token");
  });
  it("finds credentials by name, not references or empty values", () => {
    expect(literalCredential("REDIS_PASSWORD", "hunter2")).toBe("a literal value for REDIS_PASSWORD");
    expect(literalCredential("REDIS_PASSWORD", "")).toBeUndefined();
    expect(literalCredential("REDIS_PASSWORD", "/var/run/secrets/redis/password")).toBeUndefined();
    expect(literalCredential("API_TOKEN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x")).toBeUndefined();
    expect(literalCredential("REDIS_URL", "rediss://cache.example.internal:6379")).toBeUndefined();
    expect(literalCredential("RATE_LIMIT_MAX", "100")).toBeUndefined();
  });
});

describe("credentialValuesIn", () => {
  it("finds a credential by value in any field, with its path, skipping the paths judged elsewhere", () => {
    const project = {
      source: { location: "https://x-access-token:tok3n@github.com/acme/edge.git" },
      secondarySources: [{ buildspec: "phases:\n  build:\n    commands:\n      - export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE" }],
      environment: { environmentVariables: [{ name: "K", value: "AKIAIOSFODNN7EXAMPLE" }] },
    };
    expect(credentialValuesIn(project, ["environment.environmentVariables"])).toEqual([
      ["source.location", "a password inside a URL"],
      ["secondarySources[0].buildspec", "an AWS access key id"],
    ]);
    expect(credentialValuesIn({ source: { location: "https://github.com/acme/edge.git" }, n: 3 })).toEqual([]);
  });
});

describe("credentialInText", () => {
  it.each([
    ["apiVersion: v1\nusers:\n- name: ops\n  user:\n    token: abcdefghijklmnop\n", /literal value for token/],
    ["[default]\naws_secret_access_key = wJalrXUtnFEMI\n", /AWS secret access key/],
    ['{"client_secret": "s3cr3t-value"}', /literal value for client_secret/],
    ["Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlX3g\n", /JWT/],
  ])("%j", (text, what) => {
    expect(credentialInText(text)).toMatch(what);
  });
  it.each(["log_level: info\nport: 8080\n", "token_path: /var/run/secrets/token\n", "password: [secret]\n", "token_ttl_seconds: 3600\npassword_min_length: 12\nrequire_token: true\n"])("%j holds none", (text) => {
    expect(credentialInText(text)).toBeUndefined();
  });
});
