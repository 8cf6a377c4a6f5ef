// Covariate effects in SAEM, on the transformed scale as the spec declares them: phi_i = mu + sum_e beta_e z_ie +
// eta_i (`V ~ lognormal + log(WT / 70)`: log V_i = log V + beta log(WT_i / 70) + eta_i; a categorical covariate
// has one coefficient per level other than the reference, z = 1 at that level). Each subject's mean
// m_i = mu + B z_i takes the place of mu in its prior and in its components without a random effect. The M-step
// for a random component is then a least-squares regression of the subjects' states on [1, z_i] (Lavielle 2014,
// sect. 9.2.3), and Omega the covariance of the regression residuals, both from the stochastic approximations of
// sum phi_i, sum z_i phi_i^T and sum phi_i phi_i^T.
import type { Dataset, Subject } from "../data/dataset.js";
import type { CompiledModel } from "../model.js";
import { solveSpd } from "../numeric/linalg.js";

export interface Effect {
  /** `beta_<parameter>_<covariate>`, and `_<level>` for a categorical covariate (as the first guess names it). */
  name: string;
  /** Layout component the effect acts on. */
  component: number;
  covariate: string;
  /** Index of the covariate in `Subject.covariates`. */
  index: number;
  /** Categorical: the level (its label) and its code in `Subject.covariates`. */
  level?: string;
  code?: number;
  value?: (cov: Float64Array) => number;
}

/**
 * The effects of every parameter, in the order of the spec's parameters and terms (the first guess's order), then
 * those on estimated initial values (`W(0) ~ lognormal + Diet`), on the layout component of that state.
 */
export function buildEffects(model: CompiledModel, data: Dataset, initialComponent: (state: number) => number = () => -1): Effect[] {
  const meta = model.meta;
  const out: Effect[] = [];
  const carriers = [
    ...meta.parameters.map((p, j) => ({ effects: p.covariateEffects ?? [], component: j })),
    ...meta.states.map((s, k) => ({ effects: s.initialCovariateEffects ?? [], component: initialComponent(k) })),
  ];
  carriers.forEach(({ effects, component: j }) => {
    if (effects.length > 0 && j < 0) throw new Error("internal error: covariate effects on an initial value the layout does not estimate");
    for (const e of effects) {
      const covariate = meta.covariates[e.covariate]!;
      if (e.kind === "continuous") out.push({ name: e.name, component: j, covariate, index: e.covariate, value: e.value });
      else {
        const levels = data.levels?.[covariate] ?? [];
        levels.forEach((level, code) => {
          if (code > 0) out.push({ name: `${e.name}_${level}`, component: j, covariate, index: e.covariate, level, code });
        });
      }
    }
  });
  return out;
}

/** z_i: the subject's value of every effect's term. */
export function effectValues(effects: Effect[], subject: Subject): Float64Array {
  return Float64Array.from(effects, (e) => {
    const cov = subject.covariates;
    if (e.code !== undefined) return cov[e.index] === e.code ? 1 : 0;
    const v = e.value!(cov);
    return Number.isFinite(v) ? v : 0;
  });
}

/** m_i = mu + B z_i on the transformed scale, every component. */
export function subjectMean(effects: Effect[], mu: Float64Array, beta: Float64Array, z: Float64Array, out: Float64Array): Float64Array {
  out.set(mu);
  for (let e = 0; e < effects.length; e++) out[effects[e]!.component]! += beta[e]! * z[e]!;
  return out;
}

/**
 * The regression of the random components on their designs: per random position r, the design x_i^(r) = [1, z_ie
 * for the effects on r's component]. Built once from the subjects' z.
 */
export class EffectRegression {
  /** Per random position: the effects in its design (after the intercept). */
  readonly design: number[][];
  private readonly z: Float64Array[];

  constructor(
    effects: Effect[],
    random: number[],
    z: Float64Array[],
  ) {
    this.design = random.map((c) => effects.flatMap((e, k) => (e.component === c ? [k] : [])));
    this.z = z;
  }

  get any(): boolean {
    return this.design.some((d) => d.length > 0);
  }

  /** x_i^(r). */
  private row(r: number, i: number): number[] {
    return [1, ...this.design[r]!.map((e) => this.z[i]![e]!)];
  }

  /** sum_i x_i^(r) x_i^(q)^T. */
  private gram(r: number, q: number): Float64Array {
    const a = this.design[r]!.length + 1;
    const b = this.design[q]!.length + 1;
    const G = new Float64Array(a * b);
    for (let i = 0; i < this.z.length; i++) {
      const xr = this.row(r, i);
      const xq = this.row(q, i);
      for (let u = 0; u < a; u++) for (let v = 0; v < b; v++) G[u * b + v]! += xr[u]! * xq[v]!;
    }
    return G;
  }

  /** sum_i x_i^(r) phi_iq from the statistics s1 (sum phi) and sz (sum z_e phi_q, effects x nR). */
  private cross(r: number, q: number, s1: Float64Array, sz: Float64Array, nR: number): number[] {
    return [s1[q]!, ...this.design[r]!.map((e) => sz[e * nR + q]!)];
  }

  /**
   * The M-step of the random components' means, their effects and Omega's entries (r, q) for pairs in `pairs`:
   * writes mu (per random position), beta (per effect) and omega.
   */
  mStep(
    s1: Float64Array,
    sz: Float64Array,
    s2: Float64Array,
    nR: number,
    pairs: [number, number][],
    mu: Float64Array,
    beta: Float64Array,
    omega: Float64Array,
  ): void {
    const coef: Float64Array[] = [];
    for (let r = 0; r < nR; r++) {
      const G = this.gram(r, r);
      const c = solveSpd(G, this.design[r]!.length + 1, Float64Array.from(this.cross(r, r, s1, sz, nR)));
      // A design the subjects cannot separate (a level no subject has): keep the previous values.
      const fallback = Float64Array.from([mu[r]!, ...this.design[r]!.map((e) => beta[e]!)]);
      coef.push(c && c.every(Number.isFinite) ? c : fallback);
      mu[r] = coef[r]![0]!;
      this.design[r]!.forEach((e, k) => (beta[e] = coef[r]![k + 1]!));
    }
    const N = this.z.length;
    for (const [r, q] of pairs) {
      const cr = coef[r]!;
      const cq = coef[q]!;
      const br = this.cross(r, q, s1, sz, nR);
      const bq = this.cross(q, r, s1, sz, nR);
      const G = this.gram(r, q);
      let v = s2[r * nR + q]!;
      for (let u = 0; u < cr.length; u++) v -= cr[u]! * br[u]!;
      for (let u = 0; u < cq.length; u++) v -= cq[u]! * bq[u]!;
      for (let u = 0; u < cr.length; u++) for (let w = 0; w < cq.length; w++) v += cr[u]! * G[u * cq.length + w]! * cq[w]!;
      omega[r * nR + q] = v / N;
    }
  }
}
