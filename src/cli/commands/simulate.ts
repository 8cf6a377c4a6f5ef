import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { DatasetSpec } from "../../runtime/simulate/simulate-data.js";
import { writeFileAtomic } from "../../runtime/data/write-atomic.js";
import { UsageError } from "../exit.js";

interface SimulateCommandOptions {
  params: string;
  subjects: string;
  times?: string;
  noise?: string;
  seed: string;
  out?: string;
}

function parseJsonOption(text: string, flag: string): Record<string, unknown> {
  const source = text.trim().startsWith("{") ? text : readFileSync(text, "utf8");
  try {
    return JSON.parse(source) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON: ${(error as Error).message}`, `give a JSON object or a file holding one, e.g. ${flag} '{"theta": {"r": 0.003}}'`);
  }
}

function parseTimes(text: string): number[] {
  const range = /^\s*([^:]+):([^:]+):([^:]+)\s*$/.exec(text);
  const times = range
    ? Array.from({ length: Math.floor((Number(range[2]) - Number(range[1])) / Number(range[3]) + 1e-9) + 1 }, (_, i) => Number(range[1]) + i * Number(range[3]))
    : text.split(",").map(Number);
  if (times.length === 0 || times.some((t) => !Number.isFinite(t))) {
    throw new UsageError(`bad --times '${text}'`, "give a list (0,1,2.5,10) or a range START:END:STEP (0:20:0.5)");
  }
  return times;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("simulate a synthetic data set from a spec (same layout as `fit` reads)")
    .argument("<spec>", ".nlme file")
    .requiredOption("--params <json>", "JSON object or file: {theta, omega?, re?, x0?, doses?, correlation?, covariates?, covariateDistribution?, beta?}")
    .option("--subjects <n>", "number of subjects", "20")
    .option("--times <list>", "sampling times: 0,1,2 or START:END:STEP")
    .option("--noise <json>", "residual error per output, e.g. '{\"prey\": {\"b\": 0.05}}'")
    .option("--seed <n>", "seed of every random draw", "1")
    .option("--out <csv>", "write here instead of stdout")
    .addHelpText("after", `\nExample:\n  nlme simulate specs/lotka_volterra.nlme --subjects 50 --times 0:20:0.5 --seed 3 \\\n    --params '{"theta": {"a": 0.7, "b": 0.3, "c": 0.25, "d": 0.6}, "omega": {"a": 0.1}, "x0": {"x": 2, "y": 1}}' \\\n    --noise '{"prey": {"b": 0.05}, "predator": {"b": 0.05}}' --out sim.csv\n\nCovariates: give them per subject (\"covariates\": {\"WT\": [62, 81, 70]}, one value for all, or labels of a\ncategorical one: {\"DIET\": \"D2\"}) or draw them (\"covariateDistribution\": {\"WT\": {\"lognormal\": [70, 0.2]},\n\"DIET\": {\"levels\": [\"D1\", \"D2\", \"D3\"]}}; also normal: [mean, sd], uniform: [lo, hi]; levels are dealt in turn\nunless \"weights\" are given), and every covariate coefficient in \"beta\", on the parameter's transformed scale:\n  nlme simulate specs/growth_diet.nlme --subjects 60 --times 0:60:6 --seed 13 \\\n    --params '{"theta": {"r": 0.02}, "omega": {"r": 0.001}, "beta": {"beta_r_DIET_D2": 0.006, "beta_r_DIET_D3": -0.005},\n      "covariateDistribution": {"DIET": {"levels": ["D1", "D2", "D3"]}}, "x0": {"W": 250}}' --noise '{"weight": {"a": 3}}'\n(a log-normal parameter: log k_i = log k + beta z_i + eta_i, e.g. k (WT/70)^beta_k_WT).\n\nThe same seed gives the same file.`)
    .action(async (spec: string, options: SimulateCommandOptions) => {
      const params = parseJsonOption(options.params, "--params");
      const subjects = Number(options.subjects);
      const seed = Number(options.seed);
      if (!Number.isInteger(subjects) || subjects < 1) throw new UsageError(`--subjects must be a positive whole number, not '${options.subjects}'`);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, not '${options.seed}'`);
      const times = parseTimes(options.times ?? (params.times as number[] | undefined)?.join(",") ?? "");
      const { loadModel } = await import("../load-model.js");
      const { simulateDataset } = await import("../../runtime/simulate/simulate-data.js");
      const { model } = await loadModel(spec);
      const noise = options.noise ? parseJsonOption(options.noise, "--noise") : ((params.noise as Record<string, unknown>) ?? {});
      if (!params.theta || typeof params.theta !== "object") throw new UsageError("--params needs a `theta` object with every parameter's population value");
      const csv = simulateDataset(model, { ...(params as object), times, noise, subjects, seed } as DatasetSpec);
      if (options.out) {
        writeFileAtomic(options.out, csv);
        process.stderr.write(`wrote ${subjects} subjects to ${options.out}\n`);
      } else process.stdout.write(csv);
    });
}
