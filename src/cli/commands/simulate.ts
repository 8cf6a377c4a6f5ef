import type { Command } from "commander";
import { io } from "../io.js";
import { InputError, UsageError } from "../exit.js";
import { checkOutputFile, writeOutputFile } from "../output.js";
import { MAX_ROWS, MAX_SUBJECTS, parseNoise, parseParams, parseTimes, readJsonOption, type NoiseSpec } from "../simulate-options.js";

interface SimulateCommandOptions {
  params: string;
  subjects: string;
  times?: string;
  noise?: string;
  seed: string;
  out?: string;
}

/** Whole numbers as a user types them: digits only, so `1e3`, `0x10` and `12abc` are refused rather than guessed. */
function wholeNumber(text: string, flag: string, min: number): number {
  const n = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number${min > 0 ? ` >= ${min}` : ""}, not '${text.slice(0, 40)}'`, `e.g. ${flag} ${Math.max(min, 20)}`);
  return n;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("simulate a synthetic data set from a spec (same layout as `fit` reads)")
    .argument("<spec>", ".nlme file")
    .requiredOption("--params <json>", "JSON object or file: {theta, omega?, re?, x0?, doses?, correlation?, covariates?, covariateDistribution?, beta?}")
    .option("--subjects <n>", "number of subjects", "20")
    .option("--times <list>", "sampling times: 0,1,2 or START:END:STEP (required unless --params has `times`)")
    .option("--noise <json>", "residual error per output, e.g. '{\"prey\": {\"b\": 0.05}}' (default: noise-free)")
    .option("--seed <n>", "seed of every random draw", "1")
    .option("--out <csv>", "write here instead of stdout")
    .addHelpText("after", `\nExample:\n  nlme simulate specs/lotka_volterra.nlme --subjects 50 --times 0:20:0.5 --seed 3 \\\n    --params '{"theta": {"a": 0.7, "b": 0.3, "c": 0.25, "d": 0.6}, "omega": {"a": 0.1}, "x0": {"x": 2, "y": 1}}' \\\n    --noise '{"prey": {"b": 0.05}, "predator": {"b": 0.05}}' --out sim.csv\n\nCovariates: give them per subject (\"covariates\": {\"WT\": [62, 81, 70]}, one value for all, or labels of a\ncategorical one: {\"DIET\": \"D2\"}) or draw them (\"covariateDistribution\": {\"WT\": {\"lognormal\": [70, 0.2]},\n\"DIET\": {\"levels\": [\"D1\", \"D2\", \"D3\"]}}; also normal: [mean, sd], uniform: [lo, hi]; levels are dealt in turn\nunless \"weights\" are given), and every covariate coefficient in \"beta\", on the parameter's transformed scale:\n  nlme simulate specs/growth_diet.nlme --subjects 60 --times 0:60:6 --seed 13 \\\n    --params '{"theta": {"r": 0.02}, "omega": {"r": 0.001}, "beta": {"beta_r_DIET_D2": 0.006, "beta_r_DIET_D3": -0.005},\n      "covariateDistribution": {"DIET": {"levels": ["D1", "D2", "D3"]}}, "x0": {"W": 250}}' --noise '{"weight": {"a": 3}}'\n(a log-normal parameter: log k_i = log k + beta z_i + eta_i, e.g. k (WT/70)^beta_k_WT).\n\nThe same seed gives the same file.`)
    .action(async (spec: string, options: SimulateCommandOptions) => {
      const params = parseParams(readJsonOption(options.params, "--params", '{"theta": {"r": 0.003}}'));
      const subjects = wholeNumber(options.subjects, "--subjects", 1);
      if (subjects > MAX_SUBJECTS) throw new UsageError(`--subjects ${subjects} is more than ${MAX_SUBJECTS.toLocaleString("en-US")} subjects in one file`, "simulate several files with different --seed");
      const seed = wholeNumber(options.seed, "--seed", -Infinity);
      if (options.times !== undefined && params.times !== undefined) throw new UsageError("sampling times are given twice, in --times and in --params", "keep one of them");
      if (options.times === undefined && params.times === undefined) throw new UsageError("no sampling times", "give --times, e.g. --times 0:20:0.5 (or `times` in --params)");
      const times = options.times !== undefined ? parseTimes(options.times) : params.times!;
      if (times.length === 0) throw new UsageError("`times` in --params is empty", "give at least one sampling time");
      if (options.noise !== undefined && params.noise !== undefined) throw new UsageError("the noise is given twice, in --noise and in --params", "keep one of them");
      // `{}` asks for noise-free values; leaving --noise out gives the same with a note.
      let noise: NoiseSpec | undefined = options.noise !== undefined ? parseNoise(readJsonOption(options.noise, "--noise", '{"y": {"b": 0.05}}')) : params.noise;
      if (options.out !== undefined) checkOutputFile(options.out);
      const { loadModel } = await import("../load-model.js");
      const { simulateDataset } = await import("../../runtime/simulate/simulate-data.js");
      const { model } = await loadModel(spec);
      const outputs = model.meta.observations.map((o) => o.name);
      if (subjects * times.length * outputs.length > MAX_ROWS) {
        throw new UsageError(`${subjects} subjects x ${times.length} times x ${outputs.length} outputs is more than ${MAX_ROWS} rows`, "simulate fewer subjects or times, or several files with different --seed");
      }
      if (noise === undefined) {
        io.err(`note: no --noise: the values are noise-free (give e.g. --noise '{"${outputs[0] ?? "y"}": {"b": 0.05}}')\n`);
        noise = Object.fromEntries(outputs.map((o) => [o, {}]));
      } else if (Object.keys(noise).length === 0) {
        noise = Object.fromEntries(outputs.map((o) => [o, {}]));
      }
      if (subjects * times.length > 1_000_000) io.err(`simulating ${subjects} subjects at ${times.length} times...\n`);
      const csv = simulateDataset(model, { ...params, times, noise, subjects, seed });
      if (/\b(NaN|-?Infinity)\b/.test(csv)) throw new InputError("the simulated values overflow (Infinity or NaN in the data)", "lower the noise or the parameter values");
      if (options.out !== undefined) {
        writeOutputFile(options.out, csv);
        io.err(`wrote ${subjects} subjects to ${options.out}\n`);
      } else io.out(csv);
    });
}
