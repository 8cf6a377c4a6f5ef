// Writes the fit bench's Lotka-Volterra data set (seed 7, 5% proportional noise) with N subjects to a CSV, for
// profiling the CLI by hand: `npx tsx scripts/lv10k-csv.ts 10000 /tmp/lv10k.csv`, then
// `node --cpu-prof bin/nlme.js fit specs/lotka_volterra.nlme --data /tmp/lv10k.csv --json > /dev/null`.
import { writeFileSync } from "node:fs";
import { writeMonolixData } from "../src/runtime/data/write-data.js";
import { model } from "../generated/lotka_volterra.js";
import { simulateLotkaVolterra } from "../bench/simulate.js";

const subjects = Number(process.argv[2] ?? 10_000);
const out = process.argv[3] ?? "/tmp/lv10k.csv";
writeFileSync(out, writeMonolixData(simulateLotkaVolterra({ subjects, seed: 7, noise: 0.05 }), model.meta).csv);
console.log(`${out}: ${subjects} subjects`);
