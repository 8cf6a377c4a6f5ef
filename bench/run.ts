// `npm run bench`: runs every benchmark and prints one JSON object on stdout.
// Progress goes to stderr so that stdout stays machine-readable.
const suites: Record<string, () => Promise<object>> = {};

async function load(name: string, path: string, exportName: string): Promise<void> {
  try {
    const mod = (await import(path)) as Record<string, () => Promise<object>>;
    const run = mod[exportName];
    if (typeof run === "function") suites[name] = run;
  } catch (error) {
    process.stderr.write(`bench: skipping ${name}: ${(error as Error).message}\n`);
  }
}

await load("startup", "./startup.js", "benchStartup");
await load("compile", "./compile.js", "benchCompile");
await load("fit", "./fit.js", "benchFit");
await load("sparse", "./sparse.js", "benchSparse");
await load("refine", "./refine.js", "benchRefine");
// Slow (remifentanil, spruce, quinidine against R nlme): `npm run bench -- refine-real`.
await load("refine-real", "./refine-real.js", "benchRefineReal");
// Slow (10 networks per setting, every selection method): `npm run bench -- sparse-many`.
await load("sparse-many", "./sparse-many.js", "benchSparseMany");
// Whether worker threads would pay for the per-subject work here: `npm run bench -- workers`.
await load("workers", "./workers.js", "benchWorkers");

const only = process.argv.slice(2);
/** Suites that run only when named: they take tens of minutes. */
const optIn = new Set(["sparse-many", "refine-real", "workers"]);
const results: Record<string, object> = {};
for (const [name, run] of Object.entries(suites)) {
  if (only.length > 0 ? !only.includes(name) : optIn.has(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  results[name] = await run();
}
process.stdout.write(`${JSON.stringify({ node: process.version, cpus: (await import("node:os")).cpus().length, results }, null, 2)}\n`);
