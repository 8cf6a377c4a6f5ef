// The quality check every fit passes through (src/runtime/quality). A wrong
// model and today's failure on the sparse growth design must warn and name the
// problem; the bundled examples with their own models must not warn. The
// thresholds come from seeded simulations (scripts/quality-calibration.ts),
// not from these files.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { estimate } from "../../../src/runtime/model-entry.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import type { FitResult } from "../../../src/runtime/fit-result.js";
import { checkFit, qualityWarnings } from "../../../src/runtime/quality/check-fit.js";
import { exportFiles } from "../../../src/runtime/export/project.js";
import { checkMonolixProject } from "../../../src/runtime/export/mlxtran-check.js";
import { model as logistic } from "../../../generated/logistic.js";
import { model as lotkaVolterra } from "../../../generated/lotka_volterra.js";
import { model as clairon } from "../../../generated/antibody_clairon.js";
import { model as pasin } from "../../../generated/ebola_pasin.js";
import { model as pkOral } from "../../../generated/pk_oral.js";
import { compileSpec, GROWTH, LINEAR_DECAY } from "./specs.js";

function fitFile(model: CompiledModel, file: string): { fit: FitResult; data: ReturnType<typeof loadData> } {
  const data = loadData(readFileSync(file, "utf8"), file, model.meta);
  return { fit: estimate(model, data), data };
}

const codes = (fit: FitResult) => qualityWarnings(fit).map((w) => w.code);

describe("quality check", () => {
  it("a wrong model (logistic data, linear-decay spec) warns that the predictions miss the data and that the decay is negative", async () => {
    const model = await compileSpec("linear_decay", LINEAR_DECAY);
    const { fit } = fitFile(model, "data/logistic.csv");
    const q = fit.quality!;
    expect(q.summary.verdict).toBe("warnings");
    expect(codes(fit)).toContain("poor-fit");
    expect(q.summary.medianRmsIwres!).toBeGreaterThan(5);
    // The data grow: the fitted "decay" is negative, and the check says which parameter and why.
    expect(fit.parameters.k!.estimate).toBeLessThan(0);
    const decay = qualityWarnings(fit).find((w) => w.code === "negative-decay")!;
    expect(decay.parameters).toEqual(["k"]);
    expect(decay.message).toMatch(/k is a decay of C/);
    expect(decay.hint.length).toBeGreaterThan(0);
  }, 60_000);

  it("tree growth on growth_sparse.csv cannot pass silently: a warning whenever k < 0 or the predictions are far off, none when the estimates are within the truth bounds", async () => {
    const model = await compileSpec("growth", GROWTH);
    const { fit } = fitFile(model, "data/growth_sparse.csv");
    const truth = JSON.parse(readFileSync("data/growth_sparse.truth.json", "utf8")) as { theta: Record<string, number> };
    const q = fit.quality!;
    const k = fit.parameters.k!.estimate;
    const farOff = (q.summary.medianRmsIwres ?? Infinity) > q.thresholds.medianRms!;
    const withinTruth = Object.entries(truth.theta).every(([n, v]) => Math.abs(fit.parameters[n]!.estimate / v - 1) <= 0.15);
    // Today's estimator: k = -0.039 (truth 0.08), predictions tens of residual SDs off.
    if (k < 0) {
      expect(codes(fit)).toContain("negative-decay");
      expect(qualityWarnings(fit).find((w) => w.code === "negative-decay")!.parameters).toEqual(["k"]);
    }
    if (farOff) expect(codes(fit)).toContain("poor-fit");
    if (k < 0 || farOff) expect(q.summary.verdict).toBe("warnings");
    if (withinTruth && !farOff) expect(q.summary.verdict).toBe("ok");
  }, 60_000);

  it.each([
    ["logistic", logistic, "data/logistic.csv"],
    ["orange", logistic, "data/orange.csv"],
    ["lotka_volterra", lotkaVolterra, "data/lotka_volterra.csv"],
    ["antibody_clairon", clairon, "data/antibody_clairon.csv"],
    ["ebola_pasin", pasin, "data/ebola_pasin.csv"],
    ["pk_oral", pkOral, "data/pk_oral.csv"],
  ] as const)("the bundled example %s fits without quality warnings, every subject predicted", (_name, model, file) => {
    const { fit, data } = fitFile(model, file);
    const q = fit.quality!;
    expect(qualityWarnings(fit), JSON.stringify(qualityWarnings(fit))).toEqual([]);
    expect(q.summary.verdict).toBe("ok");
    expect(q.summary.predicted).toBe(data.subjects.length);
    expect(q.summary.medianRmsIwres!).toBeLessThan(q.thresholds.medianRms!);
    expect(q.subjects).toHaveLength(data.subjects.length);
  }, 60_000);

  it("names the subject whose prediction runs away, and the figures of a right fit are near 1", () => {
    const { fit, data } = fitFile(logistic, "data/logistic.csv");
    expect(fit.quality!.summary.medianRmsIwres!).toBeGreaterThan(0.5);
    expect(fit.quality!.summary.medianRmsIwres!).toBeLessThan(2);
    const id = data.subjects[3]!.id;
    const broken: FitResult = structuredClone(fit);
    // A crowding term of the wrong sign: C^2 growth, finite-time blow-up within the data's span.
    broken.individual[id] = { ...broken.individual[id]!, q: -1e-3 };
    const q = checkFit(logistic, data, broken);
    const row = q.subjects.find((s) => s.id === id)!;
    expect(row.problem !== undefined || row.diverges).toBe(true);
    const named = q.findings.filter((f) => f.subjects?.includes(id)).map((f) => f.code);
    expect(named.some((c) => c === "simulation-failed" || c === "prediction-diverges")).toBe(true);
    expect(named).toContain("negative-decay");
  }, 60_000);

  it("a fit with a warning carries it at the top of the Monolix project, model and nlmixr2 script; the project still checks", async () => {
    // The deliberately wrong model (growth_sparse.csv, the first example, now fits: see test/runtime/estimate/sparse-designs.test.ts).
    const model = await compileSpec("decay", LINEAR_DECAY);
    const { fit, data } = fitFile(model, "data/logistic.csv");
    expect(qualityWarnings(fit).length).toBeGreaterThan(0);
    const files = exportFiles(model.meta, fit, data);
    expect(files["monolix/project.mlxtran"]!.startsWith("; WARNING")).toBe(true);
    expect(files["monolix/model.txt"]!.startsWith("; WARNING")).toBe(true);
    expect(files["nlmixr2/model.R"]!.startsWith("# WARNING")).toBe(true);
    for (const w of qualityWarnings(fit)) expect(files["nlmixr2/model.R"]).toContain(`[${w.code}]`);
    expect(checkMonolixProject(files)).toEqual([]);
    // A clean fit's exports have no such block.
    const clean = fitFile(logistic, "data/orange.csv");
    expect(exportFiles(logistic.meta, clean.fit, clean.data)["monolix/project.mlxtran"]).not.toMatch(/WARNING/);
  }, 60_000);

  it("reads search bounds from the fit's settings and notes", () => {
    const { fit, data } = fitFile(logistic, "data/orange.csv");
    const withBound: FitResult = { ...fit, settings: { ...fit.settings, rateSearch: { parameter: "r", lo: 1e-4, hi: 1, atBound: 4 } } };
    const found = checkFit(logistic, data, withBound).findings.find((f) => f.code === "at-search-bound")!;
    expect(found.severity).toBe("warning"); // 4 of 5 subjects
    expect(found.parameters).toEqual(["r"]);
    const fromNote: FitResult = { ...fit, notes: [...fit.notes, "1 subject(s) have their q at (within one grid step of) a search bound: the data barely determine it there."] };
    const note = checkFit(logistic, data, fromNote).findings.find((f) => f.code === "at-search-bound")!;
    expect(note.severity).toBe("note");
    expect(note.parameters).toEqual(["q"]);
  }, 60_000);
});
