// Estimates of the wrong sign. Two kinds of evidence, both from the model,
// never from a parameter's name:
// - positivity from the spec: a log-normal or logit-normal distribution
//   (declared, or the default the exports give a random parameter) or a
//   `positive` flag where the language has one: the estimate must be > 0;
// - a decay: a term of state X's equation that falls as X rises (d Theta_kj /
//   d x_k < 0 wherever the data put the states, e.g. `- k * H`, `- q * C^2`,
//   `- b * x * y`). Estimated negative, such a term feeds X's own growth and
//   the ODE runs away, whatever the spec says about the parameter.
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel, Env, ParameterMeta } from "../model.js";
import { observationOfState } from "../rows/weak-form.js";

export interface SignProblem {
  parameter: string;
  kind: "positive" | "decay";
  /** The state whose equation holds the decay term (kind "decay"). */
  state?: string;
  population: number;
  /** Individual values <= 0 (positive) or < 0 (decay), of `individuals`. */
  wrong: number;
  individuals: number;
  wrongIds: string[];
}

function declaredPositive(par: ParameterMeta): boolean {
  const flagged = (par as ParameterMeta & { positive?: boolean }).positive === true;
  return flagged || par.distribution === "logNormal" || par.distribution === "logitNormal";
}

/** Per parameter, the index of the state it is a decay of (-1 when none). */
export function decayStates(model: CompiledModel, data: Dataset): Int32Array {
  const { nStates: d, nParams: p, meta } = model;
  const out = new Int32Array(p).fill(-1);
  // Typical levels of each state from the data (median of the inverted observations); 1 for latent states.
  const obsOf = observationOfState(model);
  const level = new Float64Array(d).fill(1);
  for (let k = 0; k < d; k++) {
    const o = obsOf[k]!;
    if (o < 0) continue;
    const xs: number[] = [];
    for (const s of data.subjects) {
      const series = s.series[o];
      if (!series) continue;
      for (let i = 0; i < series.values.length; i += Math.max(1, Math.floor(series.values.length / 4))) {
        const x = model.invert(o, series.values[i]!);
        if (Number.isFinite(x)) xs.push(x);
      }
      if (xs.length > 2000) break;
    }
    xs.sort((a, b) => a - b);
    if (xs.length > 0 && xs[xs.length >> 1]! !== 0) level[k] = xs[xs.length >> 1]!;
  }
  const env: Env = { sinceDose: 1, dose: 1, cov: new Float64Array(meta.covariates.length) };
  const jac = new Float64Array(d * p * d);
  const x = new Float64Array(d);
  const decay = Array.from({ length: p }, () => new Int32Array(d).fill(1)); // 1 until a point contradicts
  for (const scale of [0.5, 1, 2]) {
    for (let k = 0; k < d; k++) x[k] = scale * level[k]!;
    model.dictionaryJacobian(x, 0, env, jac);
    for (let k = 0; k < d; k++)
      for (let j = 0; j < p; j++) {
        const v = jac[(k * p + j) * d + k]!;
        if (!(v < 0)) decay[j]![k] = 0;
      }
  }
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < d; k++)
      if (decay[j]![k] === 1 && (meta.equationParams[k]?.includes(j) ?? true)) {
        out[j] = k;
        break;
      }
  }
  return out;
}

export function signProblems(model: CompiledModel, data: Dataset, fit: FitResult): SignProblem[] {
  const meta = model.meta;
  const decays = decayStates(model, data);
  const out: SignProblem[] = [];
  meta.parameters.forEach((par, j) => {
    if (par.dictionaryTerm) return; // selected dictionary terms take either sign by design
    const positive = declaredPositive(par);
    const decayOf = decays[j]!;
    if (!positive && decayOf < 0) return;
    const population = fit.parameters[par.name]?.estimate;
    if (typeof population !== "number") return;
    const bad = (v: number) => (positive ? !(v > 0) : v < 0);
    // A decay estimated negative is named as such (it says why the ODE runs away), even when also positive.
    const wrongIds: string[] = [];
    let individuals = 0;
    for (const [id, row] of Object.entries(fit.individual)) {
      const v = row[par.name];
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      individuals++;
      if (bad(v)) wrongIds.push(id);
    }
    if (!bad(population) && wrongIds.length === 0) return;
    out.push({
      parameter: par.name,
      kind: decayOf >= 0 ? "decay" : "positive",
      ...(decayOf >= 0 ? { state: meta.states[decayOf]!.name } : {}),
      population,
      wrong: wrongIds.length,
      individuals,
      wrongIds,
    });
  });
  return out;
}
