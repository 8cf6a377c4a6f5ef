import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { io } from "../io.js";
import { paint } from "../colors.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { readSpec } from "../read-spec.js";
import { runFit, writeFitOutputs } from "./fit.js";
import { EXIT_ERRORS } from "../exit.js";
import { checkOutputDir } from "../output.js";
import type { FitResult } from "../../runtime/fit-result.js";
import { PACKAGE_ROOT as root } from "../../package-root.js";

/** The bundled fit the demo runs: a spec, its data, and where the outputs go. */
const DEMO = {
  spec: "specs/antibody_clairon.nlme",
  data: "data/antibody_clairon.csv",
  truth: "data/antibody_clairon.truth.json",
  out: "out/demo",
};

interface Truth {
  theta: Record<string, number>;
}

/** The data are simulated, so the demo can show how close the first guess is to the values that made them. */
function truthComparison(fit: FitResult, truth: Truth): string {
  const rows = Object.entries(truth.theta).map(([name, value]) => {
    const values = Object.values(fit.individual)
      .map((p) => p[name])
      .filter((v): v is number => v !== undefined && Number.isFinite(v))
      .sort((a, b) => a - b);
    const median = values.length % 2 ? values[(values.length - 1) / 2]! : (values[values.length / 2 - 1]! + values[values.length / 2]!) / 2;
    const error = (100 * (median - value)) / value;
    return `  ${name.padEnd(10)} ${median.toPrecision(4).padStart(10)} ${value.toPrecision(4).padStart(10)} ${`${error >= 0 ? "+" : ""}${error.toFixed(1)}%`.padStart(8)}`;
  });
  return `\nFirst guess (median of the individual estimates) against the values the data were simulated with:\n  ${"parameter".padEnd(10)} ${"median".padStart(10)} ${"truth".padStart(10)} ${"error".padStart(8)}\n${rows.join("\n")}\n`;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("check every bundled spec, fit the bundled example and write its Monolix project")
    .option("--out <dir>", "where the demo writes", DEMO.out)
    .action(async (options: { out: string }) => {
      const pc = paint.out;
      checkOutputDir(options.out);
      const { analyse } = await import("../../front-end.js");
      const { estimatesTable } = await import("../estimates-table.js");
      const specsDir = join(root, "specs");
      io.out(pc.bold("Bundled specs\n"));
      let failed = false;
      for (const name of readdirSync(specsDir).filter((f) => f.endsWith(".nlme")).sort()) {
        const spec = readSpec(join(specsDir, name));
        const { ir, diagnostics } = analyse(spec.text, spec.path);
        if (hasErrors(diagnostics) || !ir) {
          failed = true;
          io.out(`  ${pc.red("x")} ${name}: ${diagnostics.filter((d) => d.severity === "error").length} errors (run: nlme check specs/${name})\n`);
          continue;
        }
        const latent = ir.states.filter((s) => s.latent).length;
        io.out(
          `  ${pc.green("ok")} ${name.padEnd(28)} ${ir.states.length} states${latent ? ` (${latent} latent)` : ""}, ${ir.parameters.length} parameters, ` +
            `${ir.observations.length} outputs${ir.dictionaries.length ? `, dictionary of ${ir.dictionaries[0]!.terms.length} terms` : ""}\n`,
        );
      }
      if (failed) {
        io.exit(EXIT_ERRORS);
        return;
      }
      io.out(pc.bold(`\nFitting ${DEMO.spec} to ${DEMO.data}\n`));
      io.out(`Antibody titres (log10) of 100 subjects after two vaccine doses; the antibody-secreting cells are never measured.\n\n`);
      const run = await runFit(join(root, DEMO.spec), { data: join(root, DEMO.data) });
      io.out(estimatesTable(run.fit));
      const { qualitySummary, qualityWarningText } = await import("../quality-summary.js");
      io.out(qualitySummary(run.fit));
      io.err(qualityWarningText(run.fit));
      io.out(truthComparison(run.fit, JSON.parse(readFileSync(join(root, DEMO.truth), "utf8")) as Truth));
      const written = await writeFitOutputs(run, options.out, { report: true, specPath: DEMO.spec });
      const shown = (p: string) => relative(process.cwd(), p) || p;
      io.out(`\nWrote the Monolix project, the nlmixr2 script, fit.json and the report:\n${written.map((p) => `  ${shown(p)}`).join("\n")}\n`);
      io.out(`Open ${shown(join(options.out, "report.html"))} in a browser to see the fit,\n`);
      io.out(`and ${shown(join(options.out, "monolix/project.mlxtran"))} in Monolix (2024R1 or later) to run SAEM from these first guesses.\n`);
    });
}
