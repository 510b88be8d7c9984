import { describeReachability } from "./reachability-suite";

describeReachability("dev", ["deploy.yml/dev", "preview.yml/preview"]);
