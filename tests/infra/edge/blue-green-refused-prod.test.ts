import { runStack } from "../../harness";

/** The prod program refuses a weight outside 0..100 at start, naming the key, before any resource exists. */
it("refuses a weight above 100", async () => {
  await expect(
    runStack({ stack: "prod", config: { "edgestack:nginxBlueGreen": "true", "edgestack:albBlueWeight": "0", "edgestack:albGreenWeight": "150", "edgestack:nlbColor": "green" } }),
  ).rejects.toThrow(/edgestack:albGreenWeight: 150 /);
});
