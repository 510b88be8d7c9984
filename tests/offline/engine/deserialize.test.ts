import { deserializeInputs, UNKNOWN_VALUE } from "../../../offline/engine/deserialize";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc");
const secret = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });
const outputValue = (fields: Record<string, unknown>) => ({ [rpc.specialSigKey]: rpc.specialOutputValueSig, ...fields });

// The wire form of a CloudFront distribution whose origin header value is the only secret.
const wire = () => ({
  origins: [
    {
      originId: "alb-origin",
      customHeaders: [{ name: "X-Origin-Verify", value: secret("s3cr3t") }],
      customOriginConfig: { originKeepaliveTimeout: 5, originReadTimeout: 30 },
    },
  ],
  enabled: true,
});

describe("deserializeInputs", () => {
  it("keeps secretness at the leaf: only the secret value is secret, its siblings are plain", () => {
    const { inputs, secretPaths } = deserializeInputs(wire());
    expect(secretPaths).toEqual(["origins[0].customHeaders[0].value"]);
    expect(inputs).toEqual({
      enabled: true,
      origins: [{ customHeaders: [{ name: "X-Origin-Verify", value: "s3cr3t" }], customOriginConfig: { originKeepaliveTimeout: 5, originReadTimeout: 30 }, originId: "alb-origin" }],
    });
  });

  it("differs from the SDK's deserializeProperties, which hoists the secret to the whole property", () => {
    const hoisted = rpc.deserializeProperty(wire().origins, true);
    expect(hoisted[rpc.specialSigKey]).toBe(rpc.specialSecretSig); // all of `origins` secret
  });

  it("reads output values: secret flag, known value, unknown value", () => {
    const { inputs, secretPaths } = deserializeInputs({
      a: outputValue({ value: "x", secret: true }),
      b: outputValue({ value: 3 }),
      c: outputValue({}),
      d: { e: [1, secret({ deep: secret("inner") })] },
    });
    expect(inputs).toEqual({ a: "x", b: 3, c: UNKNOWN_VALUE, d: { e: [1, { deep: "inner" }] } });
    // An inner secret of a secret adds nothing: the outer path already covers it.
    expect(secretPaths).toEqual(["a", "d.e[1]"]);
  });

  it("accepts a protobuf Struct as the monitor receives it", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const { inputs, secretPaths } = deserializeInputs(Struct.fromJavaScript(wire()));
    expect(secretPaths).toEqual(["origins[0].customHeaders[0].value"]);
    expect((inputs.origins as { customOriginConfig: unknown }[])[0].customOriginConfig).toEqual({ originKeepaliveTimeout: 5, originReadTimeout: 30 });
  });
});
