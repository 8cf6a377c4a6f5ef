// Steady-state doses (SS=1 with II) in the exports: the Monolix data file carries SS and II columns declared
// `use=steadystate` (with the number of doses Monolix simulates before the SS dose) and `use=interdoseinterval`,
// and reads back through the loader as the same doses; the nlmixr2 model says which columns rxode2 reads.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { model } from "../../../generated/pk_oral.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { Dataset, Dose } from "../../../src/runtime/data/dataset.js";
import { exportFiles } from "../../../src/runtime/export/project.js";
import { checkMonolixProject } from "../../../src/runtime/export/mlxtran-check.js";
import { simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import { pkOral } from "./fixtures/pk-oral.js";

const file = "pk_oral.csv";
const base = loadData(readFileSync(new URL(`../../../data/${file}`, import.meta.url), "utf8"), file, model.meta);
// The first three subjects, each first dose made a steady-state one (every 12 h).
const data: Dataset = {
  ...base,
  subjects: base.subjects.slice(0, 3).map((s) => ({ ...s, doses: s.doses.map((d, k) => (k === 0 ? { ...d, steadyState: { interval: 12 } } : d)) })),
};

describe("exports of steady-state doses", () => {
  const files = exportFiles(model.meta, pkOral.fit, data);

  it("Monolix: SS and II columns in data.csv, declared use=steadystate (nbdoses) and use=interdoseinterval; the project passes the self-check", () => {
    const csv = files["monolix/data.csv"]!.trim().split("\n");
    const header = csv[0]!.split(",");
    expect(header).toContain("SS");
    expect(header).toContain("II");
    const ss = csv.slice(1).filter((l) => l.split(",")[header.indexOf("SS")] === "1");
    expect(ss).toHaveLength(3);
    expect(ss.every((l) => l.split(",")[header.indexOf("II")] === "12")).toBe(true);
    const project = files["monolix/project.mlxtran"]!;
    expect(project).toMatch(/^SS = \{use=steadystate, nbdoses=25\}$/m);
    expect(project).toMatch(/^II = \{use=interdoseinterval\}$/m);
    expect(checkMonolixProject(files)).toEqual([]);
  });

  it("the written data read back as the same steady-state doses", () => {
    const back = loadData(files["monolix/data.csv"]!, "data.csv", model.meta);
    expect(back.subjects.map((s) => s.doses)).toEqual(data.subjects.map((s) => s.doses));
  });

  it("nlmixr2: the model names the SS and II columns rxode2 reads", () => {
    expect(files["nlmixr2/model.R"]).toMatch(/# Steady-state doses: SS = 1 and the interval II on their dose rows \(rxode2's ss and ii\)/);
  });

  it("Monolix's 25 doses before the SS dose reproduce the exact steady state for this fit's elimination (ke 0.081 /h, II 12 h)", () => {
    const theta = Float64Array.from([1.46, 3.08 / 100, 0.081]);
    const s = data.subjects[0]!;
    const times = Array.from(s.series[0]!.times);
    const exact = simulateSubject(model, theta, { doses: s.doses, times, ode: { rtol: 1e-10, atol: 1e-12 } });
    const ss = s.doses[0]!;
    const written: Dose[] = [...Array.from({ length: 25 }, (_, k) => ({ time: ss.time - (25 - k) * 12, amount: ss.amount, adm: 1 })), ...s.doses.map((d) => ({ time: d.time, amount: d.amount, adm: d.adm }))];
    const monolix = simulateSubject(model, theta, { doses: written, times, t0: written[0]!.time, ode: { rtol: 1e-10, atol: 1e-12 } });
    times.forEach((_, i) => expect(monolix.outputs[i]![0]! / exact.outputs[i]![0]! - 1).toBeCloseTo(0, 6));
  });
});
