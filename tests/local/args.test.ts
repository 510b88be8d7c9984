import { parseLocalArgs, UsageError } from "../../local/args";

test("defaults: stack dev, port 8080, 3 replicas", () => {
  expect(parseLocalArgs([])).toEqual({ stack: "dev", port: 8080, replicas: 3, nlb: false, observe: false, clean: false, help: false });
});

test("flags in both spellings", () => {
  expect(parseLocalArgs(["--stack", "prod", "--port=9090", "--replicas", "5"])).toEqual({ stack: "prod", port: 9090, replicas: 5, nlb: false, observe: false, clean: false, help: false });
  expect(parseLocalArgs(["--nlb", "--clean"])).toMatchObject({ nlb: true, clean: true });
  expect(parseLocalArgs(["-h"]).help).toBe(true);
});

test.each([
  [["--port", "0"], /--port "0": must be a whole number from 1 to 65535/],
  [["--port", "70000"], /--port "70000"/],
  [["--port", "80a"], /--port "80a"/],
  [["--replicas", "65"], /--replicas "65": must be a whole number from 1 to 64/],
  [["--replicas", "-1"], /--replicas/],
  [["--stack", "../etc"], /--stack "..\/etc": is not a stack name/],
  [["--colour"], /Unknown option '--colour'/],
  [["extra"], /Unexpected argument 'extra'/],
])("%j is refused with a UsageError naming the flag", (argv, message) => {
  expect(() => parseLocalArgs(argv)).toThrow(UsageError);
  expect(() => parseLocalArgs(argv)).toThrow(message);
});
