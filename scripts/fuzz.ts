// `npm run fuzz`: the long fuzz campaign (default 10,500 cases; FUZZ_CASES
// scales it, FUZZ_SEED changes the seed) and its summary table. Exit 1 when
// any case crashed, hung or left a partial output; the failing cases are
// printed with their arguments so that each can be replayed.
import { Worker } from "node:worker_threads";
import { formatTable, runCampaign } from "../test/fuzz/campaign.js";

// In-process cases cannot be interrupted, so a true hang would stall the run silently: a watchdog thread
// kills the process when no case has started for HANG_SECONDS, naming the case (class, index) to replay.
const HANG_SECONDS = Number(process.env["FUZZ_HANG_SECONDS"] ?? 180);
const beat = new Int32Array(new SharedArrayBuffer(12));
const watchdog = new Worker(
  `const { workerData } = require("node:worker_threads");
   const beat = new Int32Array(workerData.buffer);
   let last = -1, since = Date.now();
   setInterval(() => {
     const now = Atomics.load(beat, 0);
     if (now !== last) { last = now; since = Date.now(); return; }
     if (Date.now() - since > workerData.limit * 1000) {
       require("node:fs").writeSync(2, "HANG: class " + Atomics.load(beat, 1) + ", case " + Atomics.load(beat, 2) + " ran over " + workerData.limit + " s\\n");
       process.kill(process.pid, "SIGKILL");
     }
   }, 1000);`,
  { eval: true, workerData: { buffer: beat.buffer, limit: HANG_SECONDS } },
);
watchdog.unref();
const onCase = (cls: number, index: number) => {
  Atomics.store(beat, 1, cls);
  Atomics.store(beat, 2, index);
  Atomics.add(beat, 0, 1);
};

const total = Number(process.env["FUZZ_CASES"] ?? 10_500);
const seed = Number(process.env["FUZZ_SEED"] ?? 1);
// Spec text is cheap and the richest input; fits dominate the time of the CSV class.
const share = { "spec text": 0.3, "CSV text": 0.15, "fit.json": 0.2, "CLI options": 0.15, "simulate params": 0.2 };
const counts = Object.fromEntries(Object.entries(share).map(([k, f]) => [k, Math.round(total * f)]));
const started = performance.now();
const { table, failures } = await runCampaign(counts, seed, (line) => process.stderr.write(`${line}\n`), onCase);
process.stdout.write(`${formatTable(table)}\n\nseed ${seed}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
for (const f of failures) process.stdout.write(`${JSON.stringify(f)}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
await watchdog.terminate();
