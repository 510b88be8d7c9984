import { fmt, median, spread, wrkClientsScript } from "../../../local/bench/stats";

it("median of an odd and an even number of rounds, whatever their order", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
});

it("prints figures with fixed digits and the rounds' range", () => {
  expect(fmt(1234.5)).toBe("1,234.50");
  expect(spread([2.5, 0.82, 1.41])).toBe("0.82–2.50");
});

it("the wrk script cycles through exactly the requested client addresses", () => {
  const script = wrkClientsScript(300);
  expect(script).toContain("for i = 0, 299 do");
  expect(script).toContain('wrk.format("GET", "/api/hello", { ["X-Forwarded-For"] = addresses[n] })');
});
