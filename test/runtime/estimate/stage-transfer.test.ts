// The packing of subjects and per-subject stages between the main thread and the stage workers (stage-transfer.ts):
// every number crosses exactly, the optional parts of a subject (doses, censoring, limits, covariates) cross too,
// and a stage a worker cannot send exactly (integral rows, kept curves) comes back marked to be done again.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Subject } from "../../../src/runtime/data/dataset.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { packStages, packSubjects, unpackStages, unpackSubjects } from "../../../src/runtime/estimate/stage-transfer.js";
import { subjectStage, type StageSettings } from "../../../src/runtime/estimate/subject-stage.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { WeakFormWorkspace } from "../../../src/runtime/rows/weak-form.js";
import { model as lotkaVolterra } from "../../../generated/lotka_volterra.js";
import { model as growthSparse } from "../../../generated/growth_sparse.js";

const root = resolve(import.meta.dirname, "../../..");
const data = (model: CompiledModel, file: string) => loadData(readFileSync(join(root, "data", file), "utf8"), file, model.meta);
const settings: StageSettings = { options: {}, smoothing: { undersmooth: 0.1 }, weighted: true, keep: false };

/** Subjects as plain values (typed arrays as arrays) for a deep comparison. */
const plain = (subjects: Subject[]) => JSON.parse(JSON.stringify(subjects, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))) as unknown;

describe("packed subjects", () => {
  it("come back equal, doses, censoring, limits and covariates included", () => {
    const subjects: Subject[] = [
      {
        id: "a",
        series: [
          { output: "conc", times: Float64Array.of(0.5, 1, 2), values: Float64Array.of(3.1, 2.2, 1.3), censored: Uint8Array.of(0, 0, 1), limit: Float64Array.of(Number.NaN, Number.NaN, 0.5) },
          { output: "effect", times: new Float64Array(0), values: new Float64Array(0) },
        ],
        doses: [{ time: 0, amount: 100, adm: 1 }, { time: 12, amount: 50, adm: 2, rate: 25, duration: 2 }],
        covariates: Float64Array.of(70, 1),
      },
      {
        id: "b",
        series: [
          { output: "conc", times: Float64Array.of(1, 3), values: Float64Array.of(-0, 1e-300) },
          { output: "effect", times: Float64Array.of(4), values: Float64Array.of(0.1 + 0.2) },
        ],
        doses: [],
        covariates: Float64Array.of(55.5, 0),
      },
    ];
    const packed = packSubjects(subjects);
    expect(packed).not.toBeNull();
    const back = unpackSubjects(structuredClone(packed!));
    expect(plain(back)).toEqual(plain(subjects));
    expect(Object.is(back[1]!.series[0]!.values[0], -0)).toBe(true);
  });

  it("are not packed when their series name other outputs", () => {
    const one = (output: string): Subject => ({ id: output, series: [{ output, times: Float64Array.of(0), values: Float64Array.of(1) }], doses: [], covariates: new Float64Array(0) });
    expect(packSubjects([one("x"), one("y")])).toBeNull();
  });
});

describe("packed stages", () => {
  it("Lotka-Volterra: every Gram sum and pooled residual crosses exactly", () => {
    const model = lotkaVolterra;
    const subjects = data(model, "lotka_volterra.csv").subjects.slice(0, 12);
    const ws = new WeakFormWorkspace(model);
    const stages = subjects.map((s, i) => subjectStage(model, settings, ws, s, 30 + i));
    const shape = { d: model.nStates, p: model.nParams, outputs: model.meta.observations.length };
    const back = unpackStages(structuredClone(packStages(stages, shape)), shape, [...new Array<Subject>(30), ...subjects], 30);
    const asPlain = (x: unknown) => JSON.parse(JSON.stringify(x, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))) as unknown;
    expect(asPlain(back)).toEqual(asPlain(stages));
  });

  it("growth_sparse: subjects with integral rows come back marked to be done again", () => {
    const model = growthSparse;
    const subjects = data(model, "growth_sparse.csv").subjects.slice(0, 6);
    const ws = new WeakFormWorkspace(model);
    const stages = subjects.map((s, i) => subjectStage(model, settings, ws, s, i));
    expect(stages.some((s) => s.kept?.form === "integral")).toBe(true);
    const shape = { d: model.nStates, p: model.nParams, outputs: model.meta.observations.length };
    const back = unpackStages(packStages(stages, shape), shape, subjects, 0);
    stages.forEach((st, i) => expect(back[i] === undefined).toBe(st.kept?.form === "integral"));
  });
});
