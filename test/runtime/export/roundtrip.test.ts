// Round trip: the exported Mlxtran (model.txt + the <PARAMETER> values of
// project.mlxtran + the exported data.csv) is parsed back by a small
// interpreter and simulated with a fixed-step RK4 (fixtures/mlxtran-eval.ts);
// it must reproduce the population prediction of the same model computed
// by the product's simulator (src/runtime/simulate/simulate.ts, dopri5 at tight
// tolerance) on each fixture's hand-written right-hand side, with the same
// typical values, at the data times of the first subjects of data/<model>.csv.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exportMonolix } from "../../../src/runtime/export/monolix.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { parseAttributes, parseList, parseProject, parseStructuralModel } from "../../../src/runtime/export/mlxtran-check.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import { toCoefficients } from "../../../src/runtime/simulate/coefficients.js";
import { FIXTURES } from "./fixtures/index.js";
import { referenceModel, type ExportFixture } from "./fixtures/fixture.js";
import { generatedModel } from "./fixtures/generated.js";
import { parseDepots, parseEquation, simulateMlxtran, type SubjectRows } from "./fixtures/mlxtran-eval.js";

const SUBJECTS = 3;

function sectionAssignments(lines: string[]): Map<string, string> {
  const m = new Map<string, string>();
  let block = "";
  for (const l of lines) {
    if (/^[A-Za-z]+:$/.test(l)) block = l;
    else if (block === "" || block === "DEFINITION:") {
      const eq = l.indexOf("=");
      if (eq > 0) m.set(`${block}${l.slice(0, eq).trim()}`, l.slice(eq + 1).trim());
    }
  }
  return m;
}

function subjectsFromCsv(csv: string, content: Map<string, string>): Map<string, SubjectRows> {
  const lines = csv.trim().split(/\r?\n/);
  const header = lines[0]!.split(",");
  const use = (u: string) => header.findIndex((h) => parseAttributes(content.get(h) ?? "{}").get("use") === u);
  const [id, time, amt, adm, evid, tinf] = ["identifier", "time", "amount", "administration", "eventidentifier", "infusiontime"].map(use);
  const regs = header
    .map((h, i) => [h, i] as const)
    .filter(([h]) => parseAttributes(content.get(h) ?? "{}").get("use") === "regressor")
    .map(([, i]) => i);
  const out = new Map<string, SubjectRows>();
  for (const line of lines.slice(1)) {
    const c = line.split(",");
    const s = out.get(c[id!]!) ?? out.set(c[id!]!, { rows: [] }).get(c[id!]!)!;
    const isDose = evid! >= 0 && c[evid!] === "1";
    s.rows.push({
      time: Number(c[time!]),
      ...(isDose
        ? { dose: { amount: Number(c[amt!]), adm: adm! >= 0 ? Number(c[adm!]) : 1, ...(tinf! >= 0 && c[tinf!] !== "." ? { duration: Number(c[tinf!]) } : {}) } }
        : {}),
      regressors: regs.map((i) => Number(c[i])),
    });
  }
  return out;
}

/** Specs of the fixtures: the generated module replaces the hand-built meta and reference when present. */
const SPEC: Record<string, string> = { antibody_clairon_expanded: "antibody_clairon" };

async function resolve(name: string, f: ExportFixture): Promise<{ f: ExportFixture; reference: CompiledModel }> {
  const generated = await generatedModel(SPEC[name] ?? name);
  if (!generated) return { f, reference: referenceModel(f) };
  return { f: { ...f, meta: generated.meta, rhs: generated.rhs.bind(generated) }, reference: generated };
}

describe("exported Mlxtran reproduces the model's population prediction", () => {
  for (const [name, fixture] of Object.entries(FIXTURES)) {
    it(name, async () => {
      const { f, reference } = await resolve(name, fixture);
      const data = loadData(
        readFileSync(new URL(`../../../data/${f.dataFile}`, import.meta.url), "utf8"),
        f.dataFile,
        f.meta,
      );
      const { files, plan } = exportMonolix(f.meta, f.fit, data);
      const project = parseProject(files["monolix/project.mlxtran"]!);
      const model = parseStructuralModel(files["monolix/model.txt"]!);
      const params = sectionAssignments(project.get("PARAMETER")!.get("")!);
      const pop = (p: string) => Number(parseAttributes(params.get(`${p}_pop`)!).get("value"));

      // Inputs of the structural model: the typical values written in <PARAMETER>.
      const inputs = new Map<string, number>();
      for (const i of model.inputs) if (!model.regressors.includes(i)) inputs.set(i, pop(i));
      const program = parseEquation(model.equation);
      const depots = parseDepots(model.pk);
      const content = sectionAssignments(project.get("DATAFILE")!.get("CONTENT")!);
      const rows = subjectsFromCsv(files["monolix/data.csv"]!, content);

      // The same values, mapped back to the spec's parameters for the reference model.
      const bySource = new Map(plan.parameters.map((p) => [p.source, p.name]));
      const theta = Float64Array.from(f.meta.parameters, (p) =>
        bySource.has(p.name) ? pop(bySource.get(p.name)!) : 0,
      );
      const x0 = f.meta.states.map((s, k) => {
        const init = plan.states[k]!.initial;
        if (s.initial !== undefined) return NaN;
        return init.kind === "value" ? init.value : pop(init.param);
      });
      const outputs = plan.observations.map((o) => o.pred);
      expect(parseList(`{${outputs.join(",")}}`)).toEqual(model.outputs);

      let worst = 0;
      let compared = 0;
      for (const subject of data.subjects.slice(0, SUBJECTS)) {
        const times = [...new Set(subject.series.flatMap((s) => Array.from(s.times)))].sort((a, b) => a - b);
        // The compiled functions take 1/V in a reciprocal V's slot (model.ts); the exported text takes V.
        const ref = simulateSubject(reference, toCoefficients(f.meta, theta), {
          t0: plan.t0,
          x0,
          doses: subject.doses,
          times,
          jacobian: "numeric",
          ode: { method: "dopri5", rtol: 1e-12, atol: 1e-14, maxSteps: 1e6 },
        });
        const got = simulateMlxtran(
          program,
          depots,
          inputs,
          model.regressors,
          rows.get(subject.id)!,
          times,
          outputs,
          f.step,
        );
        subject.series.forEach((se, o) => {
          for (const t of se.times) {
            const i = times.indexOf(t);
            const a = got[i]![o]!;
            const b = ref.outputs[i]![o]!;
            expect(Number.isFinite(a)).toBe(true);
            worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1e-12));
            compared++;
          }
        });
      }
      expect(compared).toBeGreaterThan(5);
      expect(worst).toBeLessThan(1e-6);
    });
  }
});
