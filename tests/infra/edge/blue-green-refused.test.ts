import { runStack } from "../../harness";

/** The dev program refuses bad blue/green weights at start, naming the keys, before any resource exists. */
it("refuses weights that do not add up to 100", async () => {
  await expect(
    runStack({ stack: "dev", config: { "edgestack:nginxBlueGreen": "true", "edgestack:albBlueWeight": "80", "edgestack:albGreenWeight": "30" } }),
  ).rejects.toThrow(/edgestack:albBlueWeight \(80\) \+ edgestack:albGreenWeight \(30\) = 110: the weights .* must add up to 100/);
});
