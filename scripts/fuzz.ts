// `npm run fuzz`: the long fuzz campaign (default 10,500 cases; FUZZ_CASES
// scales it, FUZZ_SEED changes the seed) and its summary table. Exit 1 when
// any case crashed, hung or left a partial output; the failing cases are
// printed with their arguments so that each can be replayed.
import { formatTable, runCampaign } from "../test/fuzz/campaign.js";

const total = Number(process.env["FUZZ_CASES"] ?? 10_500);
const seed = Number(process.env["FUZZ_SEED"] ?? 1);
// Spec text is cheap and the richest input; fits dominate the time of the CSV class.
const share = { "spec text": 0.3, "CSV text": 0.15, "fit.json": 0.2, "CLI options": 0.15, "simulate params": 0.2 };
const counts = Object.fromEntries(Object.entries(share).map(([k, f]) => [k, Math.round(total * f)]));
const started = performance.now();
const { table, failures } = await runCampaign(counts, seed, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${formatTable(table)}\n\nseed ${seed}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
for (const f of failures) process.stdout.write(`${JSON.stringify(f)}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
