// Covariates of simulated subjects: given (one value for all, or one per subject) or drawn from a distribution,
// and the covariate effects they make on the parameters. Draws use a stream of their own (seeded from the data
// set's seed), so that a spec without drawn covariates gives the same file as before they existed.
import type { ModelMeta } from "../model.js";
import { createRng } from "../numeric/random.js";
import { orderLevels } from "../data/levels.js";
import { covariateCoefficients, covariateValues } from "../data/covariate-coefficients.js";
import { SimulationError } from "./simulate.js";

/**
 * How a covariate is drawn per subject: `{normal: [mean, sd]}`, `{lognormal: [median, sdlog]}`,
 * `{uniform: [lo, hi]}`, or for a categorical one `{levels: ["D1", "D2"], weights?: [2, 1]}` (without weights the
 * levels are dealt in turn, subject 1 the first level, so that every group has its share).
 */
export type CovariateDistribution =
  | { normal: [number, number] }
  | { lognormal: [number, number] }
  | { uniform: [number, number] }
  | { levels: (string | number)[]; weights?: number[] };

export interface SubjectCovariateValues {
  /** Per subject, `env.cov` values: numbers, or level codes for categorical covariates. */
  codes: Float64Array[];
  /** Per subject, each covariate as written to the file. */
  text: string[][];
  /** Levels of each categorical covariate, the reference first. */
  levels: Record<string, string[]>;
}

/** An independent stream for covariate draws: the data set's seed, moved by a fixed odd constant. */
const COVARIATE_STREAM = 0x2545f491;

export function drawCovariates(
  meta: Pick<ModelMeta, "name" | "covariates" | "covariateTypes">,
  given: Record<string, number | string | (number | string)[]> | undefined,
  drawn: Record<string, CovariateDistribution> | undefined,
  subjects: number,
  seed: number,
  format: (v: number) => string,
): SubjectCovariateValues {
  const names = meta.covariates;
  for (const nm of [...Object.keys(given ?? {}), ...Object.keys(drawn ?? {})])
    if (!names.includes(nm)) throw new SimulationError(`covariates: ${nm} is not a covariate of ${meta.name}`);
  const rng = createRng((seed ^ COVARIATE_STREAM) >>> 0);
  const raw: (number | string)[][] = names.map((c) => {
    const g = given?.[c];
    const d = drawn?.[c];
    if (g !== undefined && d !== undefined) throw new SimulationError(`covariates: ${c} is both given and drawn`);
    if (g !== undefined)
      return Array.from({ length: subjects }, (_, s) => {
        const x = Array.isArray(g) ? g[s] : g;
        if (x === undefined) throw new SimulationError(`covariates: ${c} has no value for subject ${s + 1}`);
        return x;
      });
    if (d !== undefined) return Array.from({ length: subjects }, (_, s) => drawOne(c, d, s, rng));
    throw new SimulationError(`covariates: no value for ${c} (give it in covariates or covariateDistribution)`);
  });
  const levels: Record<string, string[]> = {};
  const columns = names.map((c, k) => {
    const type = meta.covariateTypes?.[k];
    if (type?.kind === "categorical") {
      const labels = raw[k]!.map(String);
      const lv = orderLevels(labels, type.reference);
      levels[c] = lv;
      return { codes: labels.map((l) => lv.indexOf(l)), text: labels };
    }
    const values = raw[k]!.map((x, s) => {
      const v = typeof x === "number" ? x : Number.NaN;
      if (!Number.isFinite(v)) throw new SimulationError(`covariates: ${c} has no finite value for subject ${s + 1}`);
      return v;
    });
    return { codes: values, text: values.map(format) };
  });
  return {
    codes: Array.from({ length: subjects }, (_, s) => Float64Array.from(columns, (col) => col.codes[s]!)),
    text: Array.from({ length: subjects }, (_, s) => columns.map((col) => col.text[s]!)),
    levels,
  };
}

function drawOne(name: string, d: CovariateDistribution, s: number, rng: ReturnType<typeof createRng>): number | string {
  if ("levels" in d) {
    if (d.levels.length === 0) throw new SimulationError(`covariateDistribution: ${name} has no levels`);
    if (!d.weights) return d.levels[s % d.levels.length]!;
    const total = d.weights.reduce((a, b) => a + b, 0);
    if (d.weights.length !== d.levels.length || !(total > 0))
      throw new SimulationError(`covariateDistribution: ${name} needs one non-negative weight per level`);
    let u = rng.uniform() * total;
    for (let k = 0; k < d.levels.length; k++) if ((u -= d.weights[k]!) < 0) return d.levels[k]!;
    return d.levels[d.levels.length - 1]!;
  }
  if ("normal" in d) return roundCovariate(d.normal[0] + d.normal[1] * rng.normal());
  if ("lognormal" in d) return roundCovariate(d.lognormal[0] * Math.exp(d.lognormal[1] * rng.normal()));
  if ("uniform" in d) return roundCovariate(d.uniform[0] + (d.uniform[1] - d.uniform[0]) * rng.uniform());
  throw new SimulationError(`covariateDistribution: ${name} needs normal, lognormal, uniform or levels`);
}

/** A drawn covariate to six significant digits: a design value, and the file then holds exactly what was simulated. */
function roundCovariate(v: number): number {
  return Number(v.toPrecision(6));
}

/**
 * A subject's parameters before its random effects: theta with the covariate effects, on the log scale for a
 * positive parameter (theta exp(sum beta z)), else additively (theta + sum beta z).
 */
export function individualWithCovariates(
  meta: Pick<ModelMeta, "parameters" | "covariates">,
  theta: Float64Array,
  beta: Record<string, number> | undefined,
  covs: SubjectCovariateValues,
  s: number,
): Float64Array {
  const coefs = covariateCoefficients(meta, covs.levels);
  const th = Float64Array.from(theta);
  if (coefs.length === 0) return th;
  const z = covariateValues(coefs, covs.codes[s]!);
  const shift = new Float64Array(theta.length);
  coefs.forEach((c, k) => {
    const b = beta?.[c.name];
    if (b === undefined || !Number.isFinite(b))
      throw new SimulationError(`beta: no value for ${c.name} (coefficients: ${coefs.map((x) => x.name).join(", ")})`);
    shift[c.param] = shift[c.param]! + b * z[k]!;
  });
  meta.parameters.forEach((par, j) => {
    if (shift[j] !== 0) th[j] = par.positive ? theta[j]! * Math.exp(shift[j]!) : theta[j]! + shift[j]!;
  });
  return th;
}
