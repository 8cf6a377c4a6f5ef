// The contract between a generated module and the runtime. A generated module
// exports one `CompiledModel`; the estimator, simulator and exporters only
// ever see this interface, never the compiler's IR.

/** Reused, mutable evaluation context: generated code reads it, never allocates. */
export interface Env {
  /** Time since the most recent administration (0 before the first). */
  sinceDose: number;
  /** 1-based index of the most recent administration (0 before the first). */
  dose: number;
  /**
   * Covariate values of the current subject, in `meta.covariates` order; for a categorical covariate its level's
   * code, the index of the subject's label in `Dataset.levels[name]` (0 = the reference level).
   */
  cov: Float64Array;
}

export type TransformKind = "identity" | "log" | "log10" | "exp" | "affine";

export interface StateMeta {
  name: string;
  latent: boolean;
  doc?: string;
  /** Known initial value (`X(0) = v` in `constants`). */
  initial?: number;
  /**
   * A latent state solved as a convolution of observed states (a peripheral compartment):
   * d/dt S = -rate * S + sum_i scale_i * c[param_i] * X[state_i], with c the linear coefficients and
   * rate = value, or scale * c[param] + offset when the rate parameter is searched in an outer loop. Then
   * S(t) = S(t0) e^{-rate (t - t0)} + sum_i scale_i c[param_i] ∫_{t0}^{t} e^{-rate (t - s)} X[state_i](s) ds:
   * linear in each c[param_i] and in S(t0) for a given rate. Absent for every other state.
   */
  convolution?: {
    rate: { kind: "known"; value: number } | { kind: "param"; param: number; scale: number; offset: number };
    inputs: { state: number; param?: number; scale: number }[];
  };
  /**
   * An observed state whose `X(0)` the spec does not give: its initial value is to be estimated (a population value
   * and its variability between subjects) and reported. Never set together with `initial`; absent on latent states
   * (a latent state without `X(0)` starts at 0).
   */
  initialEstimated?: true;
  /**
   * For an estimated initial value, how it varies between subjects, from `X(0) ~ lognormal` (logNormal, random),
   * `X(0) ~ normal` (normal, random) or `X(0) positive` (logNormal, no random effect) in `parameters`. Absent on an
   * estimated initial value: normal with a random effect (an additive one, as the estimator has always done).
   */
  initialVariability?: { distribution: "logNormal" | "normal"; random: boolean };
  /**
   * Covariate effects on an estimated initial value (`W(0) ~ lognormal + DIET`), on its transformed scale as for a
   * parameter (log X(0) when logNormal), named `beta_W0_<covariate>`; absent: none.
   */
  initialCovariateEffects?: CovariateEffectMeta[];
}

/**
 * One covariate effect on a parameter, on the parameter's transformed scale: for a `positive` parameter (declared
 * `~ lognormal`) log(theta_i) = log(theta) + sum_e beta_e * z_e(i) + eta_i; otherwise theta_i = theta + sum_e beta_e *
 * z_e(i) + eta_i. z_e(i) is computed once per subject from its covariates (the first row of the subject that has them).
 */
export type CovariateEffectMeta =
  | {
      kind: "continuous";
      /** Name of its coefficient: `beta_<parameter>_<covariate>`. */
      name: string;
      /** Index of the covariate in `meta.covariates` (and `env.cov`). */
      covariate: number;
      /** z = the term's value for a subject, from the subject's covariates in `meta.covariates` order (e.g. log(WT / 70)). */
      value: (cov: Float64Array) => number;
      /** The term as Mlxtran/R text (`log(WT/70)`), for the exports. */
      text: string;
    }
  | {
      kind: "categorical";
      /**
       * Stem of its coefficients' names, `beta_<parameter>_<covariate>`: the levels are known only from the data, so
       * the runtime makes one coefficient per level other than the reference, named `<name>_<level>`
       * (`beta_r_DIET_2`), with z = 1 for a subject at that level and 0 otherwise.
       */
      name: string;
      /** Index of the covariate in `meta.covariates` and `meta.covariateTypes`. */
      covariate: number;
    };

export interface ParameterMeta {
  name: string;
  variability: "fixed" | "random" | "selected";
  /**
   * The individual parameter's distribution, estimated and exported: logNormal for `~ lognormal` and `positive`,
   * normal for `~ normal`. For the older `~ random` it is the `monolix` block's entry (else logNormal), while the
   * estimate stays additive normal and the exports convert it (see export-convert.ts); normal for the rest.
   */
  distribution: "normal" | "logNormal" | "logitNormal";
  /**
   * `~ lognormal` or `positive`: estimated on the log scale (psi = log theta, the random effect and the covariate
   * effects additive on psi), never reported negative. Absent: any sign, estimated as it is.
   */
  positive?: true;
  /** Covariate effects (`V ~ lognormal + log(WT / 70) + SEX`), in the order written; absent: none. */
  covariateEffects?: CovariateEffectMeta[];
  doc?: string;
  dictionaryTerm?: { state: number; term: string };
  /**
   * `"reciprocal"`: the parameter (a volume `V`) is used only as a divisor. Every `theta` this module's
   * functions take or produce (Theta's columns, `rhs`, `derived`, dose coefficients) holds the linear
   * coefficient 1/V in its place; report V = 1/coefficient (per subject, and for the population as
   * the inverse of the typical coefficient) and export V. Absent: the coefficient is the parameter itself.
   * With `positive` (log scale), log(1/V) = -log V: the random effect and every covariate effect of V change sign
   * on the coefficient's scale (`V ~ lognormal + log(WT / 70)`: log c_i = -log V - beta log(WT_i / 70) - eta_i).
   */
  estimatedAs?: "reciprocal";
}

/** How a covariate column is read, in `meta.covariates` order. */
export type CovariateTypeMeta =
  | { name: string; kind: "continuous"; doc?: string }
  | {
      name: string;
      kind: "categorical";
      /**
       * The reference level as the spec writes it (`categorical(reference = "F")`), compared with the data's text;
       * absent: the first level in sorted order (numerically when every level is a number, else as text).
       */
      reference?: string;
      doc?: string;
    };

export interface ObservationMeta {
  name: string;
  state: number;
  transform: TransformKind;
  /** For `affine`: y = scale * x + offset. */
  scale?: number;
  offset?: number;
  error: "constant" | "proportional" | "combined";
}

export interface ModelMeta {
  name: string;
  time: { name: string; unit?: string };
  states: StateMeta[];
  parameters: ParameterMeta[];
  constants: Record<string, number>;
  /** Covariate column names; `env.cov` holds a subject's values in this order (a categorical one: its level's code). */
  covariates: string[];
  /** Per covariate, in `covariates` order; absent: every covariate is continuous. */
  covariateTypes?: CovariateTypeMeta[];
  observations: ObservationMeta[];
  derived: { name: string; doc?: string }[];
  covariance: { structure: "full" | "diagonal"; params: number[] }[];
  doses: (
    | {
        kind: "jump";
        state: number;
        amount: "amt" | "unknown" | "expr";
        /**
         * Only with `amount: "amt"` when the spec scales AMT (`X += amt / V`, `X += amt * F`, `X += 0.5 * amt`):
         * the jump is AMT * scale * c[param] with c the linear coefficient (1/V for a reciprocal V), or
         * AMT * scale without `param`. An infusion (RATE/DUR) puts the same factor on its rate. Absent: AMT.
         */
        coefficient?: { scale: number; param?: number };
      }
    | {
        kind: "vector";
        name: string;
        length: number;
        /** Mlxtran/R-ready text of each value, in administration order (used by the exports). */
        values?: string[];
      }
  )[];
  dictionaries: { name: string; over: number[]; degree: number; constant: boolean; terms: string[] }[];
  penalty?: { kind: "lasso" | "spls"; param: string; lambda: "cv" | "ebic" | number; eta?: number; K?: number };
  /**
   * Set when the spec observed amounts scaled by a parameter (`conc = A / V`) and was rewritten in
   * concentrations: every state is the written amount divided by c's natural value (`divides`) or times it;
   * observations read the states directly; doses carry the factor in `coefficient`.
   */
  concentration?: { param: number; divides: boolean };
  /**
   * First-order absorption into one compartment (a depot filled by doses, `d/dt D = -ka * D`, emptying into the
   * observed state with first-order elimination `- ke * C`), the structure of the flip-flop: swapping ka and ke
   * predicts the same curve when the inflow has a parameter of its own (`inflow`, kept), or when `volume`'s dose
   * factor is scaled by ka/ke (V by ke/ka for a reciprocal V). Absent for every other model. Parameter indices.
   */
  absorption?: { depot: number; central: number; ka: number; ke: number; inflow?: number; volume?: { param: number; reciprocal: boolean } };
  /** Per state, the parameters that appear in its equation (sparsity of Theta). */
  equationParams: number[][];
  /** Mlxtran/nlmixr2-ready text of each right-hand side, per state. */
  equations: string[];
}

export interface CompiledModel {
  meta: ModelMeta;
  nStates: number;
  nParams: number;
  /** Theta(x, t): d x p, row-major, written into `out` (length d*p; every entry is written). */
  dictionary(x: Float64Array, t: number, env: Env, out: Float64Array): void;
  /** c(x, t): the parameter-free part, length d. */
  drift(x: Float64Array, t: number, env: Env, out: Float64Array): void;
  /** d Theta / d x: out[(k*p + j)*d + l] = d Theta_kj / d x_l. */
  dictionaryJacobian(x: Float64Array, t: number, env: Env, out: Float64Array): void;
  /** d c / d x: out[k*d + l]. */
  driftJacobian(x: Float64Array, t: number, env: Env, out: Float64Array): void;
  /**
   * The dynamics on the observed scale (chain rule, still linear in theta):
   * row k of Theta and c multiplied by h'(x_k) for each observed state k
   * (rows of states that are not observed are left as in `dictionary`/`drift`).
   */
  observedDictionary(x: Float64Array, t: number, env: Env, out: Float64Array): void;
  observedDrift(x: Float64Array, t: number, env: Env, out: Float64Array): void;
  /** The full right-hand side f(x, theta, t), for simulation. */
  rhs(x: Float64Array, theta: Float64Array, t: number, env: Env, out: Float64Array): void;
  /** y = h(x) per observation, length = observations. */
  observe(x: Float64Array, out: Float64Array): void;
  /** x = h^-1(y) for the state of observation `o`. */
  invert(o: number, y: number): number;
  /** Derived quantities from the parameters, in `meta.derived` order. */
  derived(theta: Float64Array, out: Float64Array): void;
}

/** The parameters of a runtime function after the model it takes first (what a generated entry point accepts). */
export type RestOf<F> = F extends (model: CompiledModel, ...rest: infer R) => unknown ? R : never;
