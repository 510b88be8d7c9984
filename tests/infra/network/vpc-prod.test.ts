import { input, ofType, runStack, StackRun } from "../../harness";

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

describe("network (prod)", () => {
  it("spans three AZs with one NAT gateway per AZ", () => {
    expect(ofType(run, "aws:ec2/subnet:Subnet")).toHaveLength(6);
    const nats = ofType(run, "aws:ec2/natGateway:NatGateway");
    expect(nats).toHaveLength(3);
    expect(new Set(nats.map((n) => input(n, "subnetId"))).size).toBe(3);
  });

  it("sends each private subnet out through its own zone's NAT", () => {
    const privateRoutes = ofType(run, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"));
    const natIds = privateRoutes.map((t) => input<Record<string, string>[]>(t, "routes").find((r) => r.cidrBlock === "0.0.0.0/0")?.natGatewayId);
    expect(new Set(natIds).size).toBe(3);
  });
});
