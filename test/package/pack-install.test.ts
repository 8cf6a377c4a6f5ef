// The package as a user gets it: build, `npm pack`, install the tarball into an
// empty folder, and run `npx nlme` there on a spec and data of the user's own.
// Nothing of the repository is on the paths the installed CLI sees except what
// the tarball carries; its dependencies come from the npm registry.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const work = mkdtempSync(join(tmpdir(), "nlme-pack-"));
const project = join(work, "project");

/** A model none of the bundled specs is: first-order elimination of a drug. */
const SPEC = `# A user's own model: first-order elimination.
model decay
time t in hours

states {
  A  "amount, mg"
}

parameters {
  k ~ random  "elimination rate, 1/h"
}

dynamics {
  d/dt A = -k * A
}

observe {
  amount = A  ~ proportional
}
`;

const K = 0.3;

/** Twelve subjects, A(t) = 10 exp(-k_i t) with k_i spread around K and a few percent of deterministic noise. */
function dataCsv(): string {
  let seed = 17;
  const uniform = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rows = ["ID,TIME,DV"];
  for (let id = 1; id <= 12; id++) {
    const k = K * Math.exp(0.15 * (uniform() - 0.5));
    for (let t = 0; t <= 12; t += 0.5) rows.push(`${id},${t},${(10 * Math.exp(-k * t) * (1 + 0.04 * (uniform() - 0.5))).toFixed(5)}`);
  }
  return `${rows.join("\n")}\n`;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function npx(args: string[]): Run {
  const run = spawnSync(npm, ["exec", "--no", "--", "nlme", ...args], { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let packed: string[] = [];

beforeAll(() => {
  execFileSync(npm, ["run", "build", "--silent"], { cwd: root, stdio: "pipe" });
  // The build ran just above; --ignore-scripts keeps its output out of pack's JSON.
  const pack = JSON.parse(execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: root, encoding: "utf8" })) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = pack[0]!.files.map((f) => f.path);
  execFileSync("mkdir", ["-p", project]);
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", join(work, pack[0]!.filename)], { cwd: project, stdio: "pipe" });
  writeFileSync(join(project, "decay.nlme"), SPEC);
  writeFileSync(join(project, "decay.csv"), dataCsv());
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the npm package", () => {
  it("ships the built CLI and the runtime's types, not the sources or the tests", () => {
    expect(packed).toContain("bin/nlme.js");
    expect(packed).toContain("dist/cli/main.js");
    expect(packed).toContain("dist/runtime/index.js");
    expect(packed).toContain("dist/runtime/index.d.ts");
    expect(packed).toContain("specs/logistic.nlme");
    expect(packed.filter((p) => p.startsWith("src/") || p.startsWith("test/") || p.startsWith("generated/"))).toEqual([]);
  });

  it("installs without the development tools", () => {
    for (const dev of ["tsx", "vitest", "typescript", "ts-morph", "esbuild"]) expect(existsSync(join(project, "node_modules", dev)), dev).toBe(false);
  });

  it("checks the user's spec", () => {
    const run = npx(["check", "decay.nlme"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("decay.nlme: ok\n");
    expect(run.status).toBe(0);
  });

  it("reports a spec error with its code and exit status 1", () => {
    writeFileSync(join(project, "bad.nlme"), SPEC.replace("-k * A", "-kk * A"));
    const run = npx(["check", "bad.nlme"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[N1001]: unknown name `kk`");
  });

  it("compiles it to TypeScript that imports the installed package's runtime and type-checks", () => {
    const run = npx(["compile", "decay.nlme", "--out", "generated"]);
    expect(run.status, run.stderr).toBe(0);
    const module = readFileSync(join(project, "generated/decay.ts"), "utf8");
    expect(module).toContain('from "weakform-nlme/runtime"');
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ["generated"] }),
    );
    // The repository's TypeScript, as a user's project would bring its own.
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: project, encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("fits the user's data and writes the exports", () => {
    const run = npx(["fit", "decay.nlme", "--data", "decay.csv", "--json", "--out", "out"]);
    expect(run.status, run.stderr).toBe(0);
    const fit = JSON.parse(run.stdout) as { model: string; subjects: number; parameters: Record<string, { estimate: number }> };
    expect(fit.model).toBe("decay");
    expect(fit.subjects).toBe(12);
    // Against the value the data were made with: 12 subjects with k spread +-7% and 2% noise.
    expect(Math.abs(fit.parameters.k!.estimate - K) / K).toBeLessThan(0.05);
    expect(existsSync(join(project, "out/fit.json"))).toBe(true);
    expect(existsSync(join(project, "out/monolix/project.mlxtran"))).toBe(true);
  });

  it("fits and refines in worker threads from the installed package, with the numbers of this thread", () => {
    // --workers 2 forces the workers (auto would keep 12 subjects here): the built worker modules and piscina.
    const numbers = (stdout: string) => {
      const fit = JSON.parse(stdout) as { parameters: unknown; refined: { parameters: unknown; logLikelihood: unknown; settings: { workers: number } } };
      return { workers: fit.refined.settings.workers, same: JSON.stringify([fit.parameters, fit.refined.parameters, fit.refined.logLikelihood]) };
    };
    const args = ["fit", "decay.nlme", "--data", "decay.csv", "--json", "--refine"];
    const one = npx([...args, "--workers", "1"]);
    const two = npx([...args, "--workers", "2"]);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(numbers(one.stdout).workers).toBe(0);
    expect(numbers(two.stdout).workers).toBe(2);
    expect(numbers(two.stdout).same).toBe(numbers(one.stdout).same);
  }, 120_000);

  it("exports a saved fit to nlmixr2", () => {
    const run = npx(["export", "nlmixr2", "out/fit.json", "--out", "exported"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("exported/nlmixr2/model.R");
    expect(readFileSync(join(project, "exported/nlmixr2/model.R"), "utf8")).toMatch(/\bk\b/);
  });

  it("runs the bundled demo from the installed package", () => {
    const run = npx(["demo", "--out", "demo"]);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(project, "demo/monolix/project.mlxtran"))).toBe(true);
  });
});
