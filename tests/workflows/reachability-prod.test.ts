import { describeReachability } from "./reachability-suite";

describeReachability("prod", ["prod-preview", "prod"]);
