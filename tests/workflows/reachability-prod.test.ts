import { describeReachability } from "./reachability-suite";

describeReachability("prod", ["deploy.yml/prod-preview", "deploy.yml/prod"]);
