import { describeReachability } from "./reachability-suite";

describeReachability("dev", ["dev"]);
