/**
 * A resource monitor that answers just enough of the engine's gRPC protocol for `@pulumi/pulumi`'s
 * program runner to start a program: feature queries (all "no") and registrations (echoed back with
 * a URN). No engine, no cloud: used to load `index.ts` exactly as `pulumi up` does.
 */
import * as grpc from "@grpc/grpc-js";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require("@pulumi/pulumi/proto/resource_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const messages = require("@pulumi/pulumi/proto/resource_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

export interface FakeMonitor {
  address: string;
  /** `type::name` of every resource the program registered. */
  registered: string[];
  close(): Promise<void>;
}

export async function startFakeMonitor(project: string, stack: string): Promise<FakeMonitor> {
  const server = new grpc.Server();
  const registered: string[] = [];
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED, details: "fake monitor" } as grpc.ServiceError, null);
  const handlers: Record<string, unknown> = {};
  for (const method of Object.keys(services.ResourceMonitorService)) handlers[method] = unimplemented;
  handlers.supportsFeature = (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, new messages.SupportsFeatureResponse().setHassupport(false));
  handlers.registerResource = (call: { request: { getType(): string; getName(): string } }, callback: grpc.sendUnaryData<unknown>) => {
    const { getType, getName } = call.request;
    const type = getType.call(call.request);
    const name = getName.call(call.request);
    registered.push(`${type}::${name}`);
    const response = new messages.RegisterResourceResponse();
    response.setUrn(`urn:pulumi:${stack}::${project}::${type}::${name}`);
    response.setId("");
    response.setObject(Struct.fromJavaScript({}));
    callback(null, response);
  };
  handlers.registerResourceOutputs = (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, new Empty());
  server.addService(services.ResourceMonitorService, handlers as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    registered,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
