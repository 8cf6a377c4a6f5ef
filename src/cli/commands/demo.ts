import { readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import pc from "picocolors";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { readSpec } from "../read-spec.js";
import { runFit, writeFitOutputs } from "./fit.js";
import { EXIT_ERRORS } from "../exit.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The bundled fit the demo runs: a spec, its data, and where the outputs go. */
const DEMO = { spec: "specs/logistic.nlme", data: "data/orange.csv", out: "out/demo" };

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("check every bundled spec, fit the bundled example and write its Monolix project")
    .option("--out <dir>", "where the demo writes", DEMO.out)
    .action(async (options: { out: string }) => {
      const { analyse } = await import("../../front-end.js");
      const { estimatesTable } = await import("../estimates-table.js");
      const specsDir = join(root, "specs");
      process.stdout.write(pc.bold("Bundled specs\n"));
      let failed = false;
      for (const name of readdirSync(specsDir).filter((f) => f.endsWith(".nlme")).sort()) {
        const spec = readSpec(join(specsDir, name));
        const { ir, diagnostics } = analyse(spec.text, spec.path);
        if (hasErrors(diagnostics) || !ir) {
          failed = true;
          process.stdout.write(`  ${pc.red("x")} ${name}: ${diagnostics.filter((d) => d.severity === "error").length} errors (run: nlme check specs/${name})\n`);
          continue;
        }
        const latent = ir.states.filter((s) => s.latent).length;
        process.stdout.write(
          `  ${pc.green("ok")} ${name.padEnd(28)} ${ir.states.length} states${latent ? ` (${latent} latent)` : ""}, ${ir.parameters.length} parameters, ` +
            `${ir.observations.length} outputs${ir.dictionaries.length ? `, dictionary of ${ir.dictionaries[0]!.terms.length} terms` : ""}\n`,
        );
      }
      if (failed) {
        process.exitCode = EXIT_ERRORS;
        return;
      }
      process.stdout.write(pc.bold(`\nFitting ${DEMO.spec} to ${DEMO.data} (R's Orange trees)\n\n`));
      const run = await runFit(join(root, DEMO.spec), { data: join(root, DEMO.data) });
      process.stdout.write(estimatesTable(run.fit));
      const r = run.fit.parameters.r?.estimate ?? NaN;
      const K = run.fit.derived.K ?? NaN;
      process.stdout.write(
        `\nReference (R nlme, SSlogis by maximum likelihood): r = 0.002906 /day, K = 191.05 mm\n` +
          `This fit:                                        r = ${r.toPrecision(4)} /day, K = ${K.toPrecision(5)} mm\n`,
      );
      const written = await writeFitOutputs(run, options.out, { report: true, specPath: DEMO.spec });
      const shown = (p: string) => relative(process.cwd(), p) || p;
      process.stdout.write(`\nWrote the Monolix project, the nlmixr2 script, fit.json and the report:\n${written.map((p) => `  ${shown(p)}`).join("\n")}\n`);
      process.stdout.write(`Open ${shown(join(options.out, "report.html"))} in a browser to see the fit,\n`);
      process.stdout.write(`and ${shown(join(options.out, "monolix/project.mlxtran"))} in Monolix to run SAEM from these first guesses.\n`);
    });
}
