import { execSync } from "node:child_process";
import { startDataPlane } from "./tools/local";
import { floodWithoutReading } from "./tests/harness/wsFlood";
(async () => {
  const plane = await startDataPlane({ replicas: 1, logLevel: "info" });
  const rp = plane.replicas[0]!.port;
  const t = setInterval(() => {
    const out = execSync(`ss -tn state all '( sport = :${plane.port} or sport = :${rp} )' | tail -n +2 | awk '{print $1, $2, $3, $4, $5}'`).toString();
    console.log(new Date().toISOString().slice(17, 23), out.trim().split("\n").join(" | "));
  }, 2000);
  const r = await floodWithoutReading(plane.port, { frameBytes: 16000, durationMs: 14000 });
  clearInterval(t);
  console.log(r);
  console.log(execSync(`tail -5 ${plane.replicas[0]!.logFile}`).toString());
  console.log(plane.nginx.readFile("error.log").slice(-2000));
  await plane.stop();
})();
