// Regression tests for issue 16: one per cause, numbered as in the issue.
// Each runs the real CLI in-process (main(argv, streams)) and asserts the
// documented exit code, a message with `help:` or a located diagnostic, no
// "internal error", and nothing written when the input is rejected.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type CaseRun } from "../fuzz/harness.js";

const tmp = mkdtempSync(join(tmpdir(), "nlme-harden-"));
const logistic = readFileSync("specs/logistic.nlme", "utf8");
const orange = readFileSync("data/orange.csv", "utf8");
let n = 0;
const file = (name: string, text: string): string => {
  const dir = join(tmp, `f${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const fresh = (name = "out"): string => join(tmp, `o${n++}`, name);

/** A user error: the code, an `error:` line with `help:`, no internal error. */
function userError(run: CaseRun, code: number, pattern: RegExp): void {
  expect(run.stderr, run.stderr).not.toContain("internal error");
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).toMatch(/help: /);
}

const SIM = (extra: Record<string, unknown> = {}) => JSON.stringify({ theta: { r: 0.003, q: 0.00001 }, x0: { C: 30 }, ...extra });

describe("issue 16: every input path hardened", () => {
  it("1: a spec with errors given to fit, simulate or export is its diagnostics, exit 1", async () => {
    const empty = file("empty.nlme", "");
    for (const args of [
      ["fit", empty, "--data", "data/orange.csv"],
      ["simulate", empty, "--params", SIM(), "--times", "0:10:1"],
      ["export", "monolix", file("fit.json", JSON.stringify({ model: "m", parameters: { r: { estimate: 1, se: null, omega: null } }, residual: {} })), "--spec", empty, "--out", fresh()],
    ]) {
      const run = await runCli(args);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/error\[N0005\]: missing `model` header/);
      expect(run.stderr).not.toContain("internal error");
    }
  });

  it("2: simulation errors (missing x0, incomplete theta, a blow-up) are user errors, exit 1", async () => {
    userError(await runCli(["simulate", "specs/logistic.nlme", "--params", '{"theta": {"r": 0.003, "q": 0.00001}}', "--times", "0:10:1"]), 1, /x0|initial/i);
    userError(await runCli(["simulate", "specs/logistic.nlme", "--params", '{"theta": {"r": 0.003}, "x0": {"C": 30}}', "--times", "0:10:1"]), 1, /theta: no value for q/);
    userError(await runCli(["simulate", "specs/logistic.nlme", "--params", SIM({ theta: { r: 50, q: -1 } }), "--times", "0:100:10"]), 1, /error: /);
    // --noise left out: noise-free values, with a note.
    const run = await runCli(["simulate", "specs/logistic.nlme", "--params", SIM(), "--times", "0:10:5", "--subjects", "1"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/note: no --noise: the values are noise-free/);
    expect(run.stdout.trim().split("\n")).toHaveLength(4);
  });

  it("3: simulate options are checked: --params null, a string of times, bad correlation and ranges, no --times", async () => {
    const spec = "specs/logistic.nlme";
    const cases: [string[], RegExp][] = [
      [["--params", "null", "--times", "0:1:1"], /--params: the value must be an object, not null/],
      [["--params", SIM({ times: "0,1" })], /times must be a list/],
      [["--params", SIM({ correlation: [1, 2] }), "--times", "0:1:1"], /correlation\[0\] must be a list/],
      [["--params", SIM(), "--times", "0:10:0"], /STEP must be positive/],
      [["--params", SIM(), "--times", "0:1e9:1"], /at most 1000000/],
      [["--params", SIM()], /no sampling times/],
      [["--params", SIM(), "--times", ""], /it is empty/],
      [["--params", SIM(), "--times", "0,,2"], /an entry is empty/],
      [["--params", SIM(), "--times", "0:1:1", "--noise", '{"circumference": {"a": 1e308}}'], /moderate size/],
      [["--params", SIM(), "--times", "0:1:1", "--noise", '{"circumference": 5}'], /--noise: circumference must be an object, not 5/],
      [["--params", SIM(), "--times", "0:1:1", "--subjects", "1e3"], /--subjects must be a whole number/],
    ];
    for (const [args, pattern] of cases) {
      const out = fresh("sim.csv");
      const run = await runCli(["simulate", spec, ...args, "--out", out]);
      userError(run, 2, pattern);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("4: --out at a file, a directory, nowhere or a system place is refused before any work", async () => {
    const aFile = file("taken", "x");
    for (const args of [
      ["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", aFile],
      ["compile", "specs/logistic.nlme", "--out", aFile],
      ["demo", "--out", aFile],
      ["export", "monolix", aFile, "--out", aFile],
    ]) userError(await runCli(args), 2, /exists and is not a directory/);
    userError(await runCli(["simulate", "specs/logistic.nlme", "--params", SIM(), "--times", "0:1:1", "--out", tmp]), 2, /is a directory/);
    userError(await runCli(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", ""]), 2, /--out is empty/);
    userError(await runCli(["demo", "--out", ""]), 2, /--out is empty/);
    userError(await runCli(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", "/proc/x"]), 2, /system directory/);
    userError(await runCli(["compile", "specs/logistic.nlme", "--out", join(aFile, "sub")]), 2, /cannot write|not a directory/);
  });

  it("5: specs that are links in a loop, pipes or devices are refused, not read", async () => {
    const loop = join(tmp, "loop.nlme");
    symlinkSync(loop, loop);
    userError(await runCli(["check", loop]), 2, /too many levels of symbolic links/);
    const fifo = join(tmp, "pipe.nlme");
    execFileSync("mkfifo", [fifo]);
    userError(await runCli(["check", fifo]), 2, /not a regular file/);
    userError(await runCli(["fit", "/dev/zero", "--data", "data/orange.csv"]), 2, /not a regular file/);
    userError(await runCli(["fit", "specs/logistic.nlme", "--data", fifo]), 2, /not a regular file/);
    const locked = file("locked.nlme", logistic);
    chmodSync(locked, 0);
    const run = await runCli(["check", locked]);
    // Root reads anything; everyone else gets a permission message.
    if (run.code !== 0) userError(run, 2, /permission denied/);
  });

  it("6: deep nesting and long sums are located N0012 errors in every command", async () => {
    const deepCall = file("deep.nlme", logistic.replace("r * C - q * C^2", `${"exp(".repeat(1000)}C${")".repeat(1000)}`));
    const sum8000 = file("sum8000.nlme", logistic.replace("r * C - q * C^2", `r * C${" + q*C".repeat(8000)}`));
    const sum1000 = file("sum1000.nlme", logistic.replace("r * C - q * C^2", `r * C${" + 2e-9*C*q".repeat(1000)}`));
    for (const spec of [deepCall, sum8000, sum1000]) {
      for (const args of [["check", spec], ["compile", spec, "--out", fresh()], ["fit", spec, "--data", "data/orange.csv"]]) {
        const run = await runCli(args);
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toMatch(/error\[N0012\]/);
        expect(run.stderr).not.toMatch(/N0099|N2999|internal/);
      }
    }
    // Just under the limit, the whole pipeline works.
    const sum240 = file("sum240.nlme", logistic.replace("r * C - q * C^2", `r * C - q * C^2${" + 1e-12*C".repeat(240)}`));
    const run = await runCli(["compile", sum240, "--out", fresh()]);
    expect(run.code, run.stderr).toBe(0);
  });

  it("7: a huge spec is refused by size; thousands of errors and a megabyte line are not echoed whole", async () => {
    userError(await runCli(["check", file("huge.nlme", `${logistic}\n${"# padding\n".repeat(30_000)}`)]), 2, /limited to 256 kB/);
    const many = file("many.nlme", `${logistic}\n${Array.from({ length: 3000 }, (_, i) => `derived { z${i} = nope${i} }`).join("\n")}`);
    const run = await runCli(["check", many]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\.\.\. and \d+ more/);
    expect(run.stderr.length).toBeLessThan(60_000);
    const garbage = await runCli(["check", file("garbage.nlme", `${logistic}\n${"@".repeat(200_000)}\n`)]);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr.length).toBeLessThan(3_000);
  });

  it("8: a 240-character model name compiles and fits; a longer one is a clear error, nothing written", async () => {
    const long = file("long.nlme", logistic.replace("model logistic", `model ${"m".repeat(240)}`));
    const out = fresh();
    expect((await runCli(["compile", long, "--out", out])).code).toBe(0);
    expect((await runCli(["fit", long, "--data", "data/orange.csv"])).code).toBe(0);
    const longer = file("longer.nlme", logistic.replace("model logistic", `model ${"m".repeat(300)}`));
    const out2 = fresh();
    userError(await runCli(["compile", longer, "--out", out2]), 2, /file name is too long/);
    expect(existsSync(out2)).toBe(false);
    expect((await runCli(["fit", longer, "--data", "data/orange.csv"])).code).toBe(0);
  });

  it("9: a dictionary model without a penalty is refused by fit at once", async () => {
    const spec = file("nopenalty.nlme", readFileSync("specs/gene_network.nlme", "utf8").replace(/^penalty.*$/m, ""));
    const started = performance.now();
    userError(await runCli(["fit", spec, "--data", "data/gene_network_linear.csv"]), 1, /has a dictionary but no penalty/);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it("10: data values beyond ±1e100 are data errors with file and line", async () => {
    const lines = orange.trim().split("\n");
    const timeHuge = file("t.csv", [lines[0], ...lines.slice(1).map((l) => l.replace(/^("\d+"),(\d+)/, (_, id, t) => `${id},${t}e300`))].join("\n"));
    const dvHuge = file("dv.csv", orange.replace('"1",118,30,', '"1",118,1e300,').replace('"1",484,58,', '"1",484,-1e300,'));
    for (const csv of [timeHuge, dvHuge]) {
      const run = await runCli(["fit", "specs/logistic.nlme", "--data", csv]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/:\d+ \(column (TIME|DV)\): .*too large/);
      expect(run.stderr).not.toContain("internal error");
    }
  });

  it("11: loader warnings, negative values, outliers and negative doses are printed and kept in fit.json", async () => {
    const outlier = file("outlier.csv", orange.replace('"1",484,58,', '"1",484,1e12,'));
    const out = fresh();
    let run = await runCli(["fit", "specs/logistic.nlme", "--data", outlier, "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: .*1 observation of circumference far outside the others.*1000000000000 \(subject 1, time 484\)/);
    expect(JSON.parse(readFileSync(join(out, "fit.json"), "utf8")).dataWarnings).toEqual([expect.stringMatching(/far outside/)]);

    const rows = orange.trim().split("\n");
    const holes = file("holes.csv", rows.map((l, i) => (i > 0 && i % 3 === 0 ? l.replace(/,(\d+),"circumference"$/, ',.,"circumference"') : l)).join("\n"));
    run = await runCli(["fit", "specs/logistic.nlme", "--data", holes, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: .*\d+ rows without an observation or dose skipped/);
    expect(JSON.parse(run.stdout).dataWarnings[0]).toMatch(/skipped/);

    const negative = file("neg.csv", rows.map((l, i) => (i > 0 && i % 5 === 0 ? l.replace(/,(\d+),"circumference"$/, ',-$1,"circumference"') : l)).join("\n"));
    run = await runCli(["fit", "specs/logistic.nlme", "--data", negative]);
    expect(run.stderr).toMatch(/warning: .*negative values? of circumference/);

    const pk = readFileSync("data/pk_oral.csv", "utf8");
    const negDose = file("negdose.csv", pk.replace(/^(1,0,\.,\.,)([\d.]+)/m, "$1-$2"));
    run = await runCli(["fit", "specs/pk_oral.nlme", "--data", negDose]);
    expect(run.stderr).toMatch(/warning: .*1 negative dose amount/);
    // Clean data: no warning at all.
    run = await runCli(["fit", "specs/logistic.nlme", "--data", "data/orange.csv"]);
    expect(run.stderr).not.toMatch(/warning/);
  });

  it("12: a corrupted fit.json is exit 1 naming the field; a BOM is accepted", async () => {
    const out0 = fresh();
    expect((await runCli(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", out0])).code).toBe(0);
    const good = JSON.parse(readFileSync(join(out0, "fit.json"), "utf8"));
    const variants: [unknown, RegExp][] = [
      [null, /must be an object, not null/],
      [{ ...good, parameters: undefined }, /parameters must be an object/],
      [{ ...good, residual: undefined }, /residual must be an object/],
      [{ ...good, parameters: {} }, /parameters is empty/],
      [{ ...good, parameters: { ...good.parameters, r: { ...good.parameters.r, estimate: null } } }, /parameters\.r\.estimate must be a finite number/],
      [{ ...good, parameters: { ...good.parameters, r: { ...good.parameters.r, estimate: "0.1" } } }, /parameters\.r\.estimate must be a finite number/],
      [{ ...good, settings: { ...good.settings, spec: 123 } }, /settings\.spec must be a file path/],
      [{ ...good, parameters: { ...good.parameters, r: { ...good.parameters.r, omega: -1 } } }, /omega must be a number >= 0/],
      [{ ...good, parameters: { ...good.parameters, r: { ...good.parameters.r, omega: "big" } } }, /omega must be a finite number/],
      [{ ...good, residual: { ...good.residual, height: { error: "constant", a: 1 } } }, /residual names height, which is not an output/],
    ];
    for (const [value, pattern] of variants) {
      const out = fresh();
      userError(await runCli(["export", "monolix", file("fit.json", JSON.stringify(value)), "--out", out]), 1, pattern);
      expect(existsSync(out)).toBe(false);
    }
    userError(await runCli(["export", "monolix", file("fit.json", "{ not json"), "--out", fresh()]), 1, /is not valid JSON/);
    const bom = await runCli(["export", "nlmixr2", file("fit.json", `\ufeff${JSON.stringify(good)}`), "--out", fresh()]);
    expect(bom.code, bom.stderr).toBe(0);
  });

  it("14: a BOM spec checks; no observe and confusing --columns are clear errors; huge simulations are refused", async () => {
    expect((await runCli(["check", file("bom.nlme", `\ufeff${logistic}`)])).code).toBe(0);
    const noObserve = file("noobs.nlme", logistic.replace(/observe \{[^}]*\}/, ""));
    userError(await runCli(["fit", noObserve, "--data", "data/orange.csv"]), 1, /observes nothing/);
    userError(await runCli(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--columns", "TIME=time=x"]), 2, /bad --columns entry 'TIME=time=x'/);
    userError(await runCli(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--columns", "DV=TIME"]), 2, /maps both TIME and DV to the column 'TIME'/);
    userError(await runCli(["simulate", "specs/logistic.nlme", "--params", SIM(), "--times", "0:100:1", "--subjects", "500000"]), 2, /more than 20000000 rows/);
    // Ten million subjects at one time (fuzz seed 11) are few enough rows but minutes of solving: refused by count.
    userError(await runCli(["simulate", "specs/logistic.nlme", "--params", SIM(), "--times", "9", "--subjects", "10000000"]), 2, /more than 1,000,000 subjects in one file/);
  });

  it("15: a syntax error and an unknown name elsewhere are reported by one run", async () => {
    const spec = file("both.nlme", logistic.replace("d/dt C = r * C - q * C^2", "d/dt C = r * C - q * C^2 +").replace(/^(\s+K = r \/ )q/m, "$1qq"));
    const run = await runCli(["check", spec]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[N0002\][\s\S]*error\[N1001\]: unknown name `qq`/);
    // Names the syntax error swallowed are not blamed: `q` is declared on a line the parser skipped.
    const skipped = file("skipped.nlme", logistic.replace("q ~ random", "q ~ randm"));
    const again = await runCli(["check", skipped]);
    expect(again.stderr).not.toMatch(/N1001/);
  });

  it("fuzz finding: a subject measured twice at one time fits (integral rows over replicates; fuzz seed 11, CSV case 699)", async () => {
    // Tree 1 measured twice at day 484 instead of once at day 1372: 7 samples, so it takes integral rows.
    const lines = orange.trimEnd().split("\n").filter((l) => !l.startsWith('"1",1372,'));
    const at484 = lines.findIndex((l) => l.startsWith('"1",484,'));
    const replicated = file("replicate.csv", [...lines.slice(0, at484 + 1), lines[at484]!, ...lines.slice(at484 + 1)].join("\n") + "\n");
    const run = await runCli(["fit", "specs/logistic.nlme", "--data", replicated, "--json"]);
    expect(run.stderr).not.toMatch(/internal/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).parameters.r.estimate).toBeGreaterThan(0);
  });

  it("fuzz findings: a long line of errors, a NUL in a path, one value 1e99 among hundreds", async () => {
    // Chevrotain's in-section recovery recursed once per error: 2,400 of them on one line overflowed the stack.
    const garbage = file("garbage-line.nlme", logistic.replace("q ~ random", `q${" + q*C".repeat(2400)} ~ random`));
    const run = await runCli(["check", garbage]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error\[N0002\]/);
    expect(run.stderr).not.toMatch(/N0099|internal/);
    // The same over 3,000 lines, one error each: quadratic recovery took over 20 s.
    const lines = file("garbage-lines.nlme", logistic.replace("q ~ random", `q ~ random\n${"a = 1\n".repeat(3000)}`));
    const started = performance.now();
    const again = await runCli(["check", lines]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/error\[N0002\]: unexpected `=` after `a`/);
    expect(performance.now() - started).toBeLessThan(10_000);
    userError(await runCli(["check", "a\0b.nlme"]), 2, /NUL character/);
    userError(await runCli(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", "x\0y"]), 2, /NUL character/);
    const huge = file("huge-dv.csv", orange.replace('"3",1004,108,', '"3",1004,1e99,'));
    userError(await runCli(["fit", "specs/logistic.nlme", "--data", huge]), 1, /circumference = 1e\+99 \(subject 3, time 1004\) is .* times the output's median/);
  });

  it("help and misuse still exit 0 and 2 through main(argv, streams)", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: nlme/);
    const bad = await runCli(["check", "--bogus", "specs/logistic.nlme"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option/);
    expect(readdirSync(tmp).filter((f) => f.includes(".nlme-tmp-"))).toEqual([]);
  });
});
