// The checked model: what every later stage (code generation, estimator
// set-up, exports) reads. Built by `src/ir/lower.ts` from an AST that passed
// every check, so it holds no names that do not resolve and no loops.
// Indices are flat: `g[3]` of `states { g[1..20] }` is one state named `g3`.
import type { Span } from "../syntax/ast.js";

export type IrBinaryOp = "add" | "sub" | "mul" | "div" | "pow";
export type IrFunction = "exp" | "log" | "log10" | "sqrt" | "abs" | "sin" | "cos";

export type IrExpr =
  | { kind: "num"; value: number }
  | { kind: "state"; index: number }
  | { kind: "param"; index: number }
  /** A named constant, kept by name so exports stay readable. */
  | { kind: "const"; name: string; value: number }
  | { kind: "time" }
  /** Time since the most recent administration (0 before the first). */
  | { kind: "sinceDose" }
  /** 1 on the interval that follows administration `k` (1-based), else 0. */
  | { kind: "doseIs"; k: number }
  | { kind: "covariate"; name: string }
  | { kind: "neg"; arg: IrExpr }
  | { kind: IrBinaryOp; left: IrExpr; right: IrExpr }
  | { kind: "call"; fn: IrFunction; arg: IrExpr };

export interface StateIr {
  name: string;
  index: number;
  latent: boolean;
  doc?: string;
  /** Known initial value (`X(0) = v` in `constants`), if any. */
  initial?: number;
  /** An observed state without `X(0) = v`: its initial value is estimated (a population value and variability). Lowering always sets it. */
  initialEstimated?: boolean;
  /** `X(0) ~ lognormal` (or `~ normal`, `positive`) in `parameters`, for an estimated initial value. */
  initialVariability?: InitialVariability;
  /** Covariate effects on the estimated initial value (`W(0) ~ lognormal + DIET`), named `beta_W0_<covariate>`. */
  initialCovariateEffects?: CovariateEffectIr[];
  /** For a latent state: how it is solved in closed form (set by the checker's elimination analysis). */
  elimination?: LatentEliminationIr;
  span: Span;
}

/**
 * A latent state solved in closed form: dS/dt = -rate * S + forcing, the
 * forcing being its equation's terms without S (time, doses, parameters,
 * earlier latent states).
 */
export interface LatentEliminationIr {
  /** rate = value, or rate = scale * theta[param] + offset when searched in an outer loop. */
  rate: { kind: "known"; value: number } | { kind: "param"; param: number; scale: number; offset: number };
  /** Latent states its forcing reads (eliminated before it). */
  dependsOn: number[];
  /** Parameters weighting its solution; where a parameter multiplies S their products become coefficients. */
  carriers: number[];
  /** Its doses add `unknown` amounts (one per administration). */
  unknownDoses: boolean;
  /**
   * Present when the state is a convolution of observed states: its input is
   * sum_i scale_i * theta[param_i] * X[state_i] (no time, dose or latent forcing), so
   * S(t) = S(t0) e^{-rate (t - t0)} + sum_i scale_i theta[param_i] ∫_{t0}^{t} e^{-rate (t - s)} X[state_i](s) ds.
   */
  convolution?: ConvolutionInput[];
}

/** One input of a convolution latent state: scale * theta[param] * X[state] (scale alone without `param`). */
export interface ConvolutionInput {
  state: number;
  param?: number;
  scale: number;
}

export type Variability = "fixed" | "random" | "selected";

export interface InitialVariability {
  distribution: "logNormal" | "normal";
  /** Has a random effect (`~ lognormal`, `~ normal`); false for `X(0) positive`. */
  random: boolean;
}
export type Distribution = "normal" | "logNormal" | "logitNormal";

/** One covariate effect on a parameter's transformed scale (see `CovariateEffectMeta` in the runtime). */
export type CovariateEffectIr =
  | { kind: "continuous"; name: string; covariate: number; expr: IrExpr }
  | { kind: "categorical"; name: string; covariate: number };

export interface CovariateIr {
  name: string;
  kind: "continuous" | "categorical";
  /** Categorical: the reference level as written (`categorical(reference = "F")`). */
  reference?: string;
  doc?: string;
}

export interface ParameterIr {
  name: string;
  index: number;
  variability: Variability;
  /**
   * As declared: logNormal for `~ lognormal` and `positive`, normal for `~ normal`; for `~ random` (the older
   * spelling) the `monolix` block's entry, else logNormal as before; normal for the rest.
   */
  distribution: Distribution;
  /** `~ lognormal` or `positive`: estimated on the log scale, never negative. Lowering always sets it. */
  positive?: boolean;
  /** `+ log(WT / 70)`, `+ DIET` after the distribution, in the order written (absent: none). */
  covariateEffects?: CovariateEffectIr[];
  doc?: string;
  /** For a dictionary coefficient `W[g3, Phi]`: the equation and the canonical term name. */
  dictionaryTerm?: { state: number; term: string };
  /**
   * `"reciprocal"`: the parameter is used only as a divisor, so the linear coefficient (the entry of theta in
   * Theta, `rhs`, dose coefficients) is 1/V; V itself is reported as its inverse. Absent: theta holds V.
   */
  estimatedAs?: "reciprocal";
  span: Span;
}

/** One `theta_j * g_j(x, t)` term of a right-hand side; `coef` is parameter-free. */
export interface LinearTerm {
  param: number;
  coef: IrExpr;
}

/** d/dt X_k = sum_j theta_j g_kj(x, t) + g_0k(x, t). */
export interface DynamicsIr {
  state: number;
  terms: LinearTerm[];
  drift: IrExpr;
  /** The right-hand side as written (after loop expansion), for simulation and export. */
  rhs: IrExpr;
  span: Span;
}

export type Transform =
  | { kind: "identity" }
  | { kind: "log" }
  | { kind: "log10" }
  | { kind: "exp" }
  /** y = scale * x + offset */
  | { kind: "affine"; scale: number; offset: number };

export interface ObservationIr {
  name: string;
  /** The state this output observes. */
  state: number;
  expr: IrExpr;
  transform: Transform;
  error: "constant" | "proportional" | "combined";
  span: Span;
}

export interface DerivedIr {
  name: string;
  /** Over parameters and constants only. */
  expr: IrExpr;
  doc?: string;
}

export interface CovarianceBlockIr {
  structure: "full" | "diagonal";
  params: number[];
}

export type DoseIr =
  | {
      kind: "jump";
      state: number;
      amount: "amt" | "unknown" | IrExpr;
      /** For `amt` times a factor (`amt / V`, `amt * F`, `0.5 * amt`): the jump is amt * scale * theta[param] (scale alone without `param`). */
      coefficient?: { scale: number; param?: number };
    }
  /** `strength = [1, fM2]`: the value used on the interval after administration k. */
  | { kind: "vector"; name: string; values: IrExpr[] };

export interface DictionaryIr {
  name: string;
  /** States the polynomial is built over, in declaration order. */
  over: number[];
  degree: number;
  constant: boolean;
  /** Canonical names (`1`, `g3`, `g1*g7`) with the state indices of their factors. */
  terms: { name: string; factors: number[] }[];
}

export interface PenaltyIr {
  kind: "lasso" | "spls";
  /** Base name of the penalised parameter array, e.g. `W`. */
  param: string;
  lambda: "cv" | "ebic" | number;
  eta?: number;
  K?: number;
}

export interface ModelIr {
  name: string;
  time: { name: string; unit?: string };
  states: StateIr[];
  parameters: ParameterIr[];
  constants: { name: string; value: number; doc?: string }[];
  /** Covariate names; their order is the order of `env.cov`. */
  covariates: string[];
  /** Per covariate, in `covariates` order (absent: all continuous). Lowering always sets it. */
  covariateTypes?: CovariateIr[];
  dynamics: DynamicsIr[];
  observations: ObservationIr[];
  derived: DerivedIr[];
  covariance: CovarianceBlockIr[];
  doses: DoseIr[];
  dictionaries: DictionaryIr[];
  penalty?: PenaltyIr;
  /**
   * The spec observed amounts scaled by a parameter (`conc = A / V`) and was rewritten in concentrations:
   * every state is the written amount divided by V (`divides`) or times it; observations read the states
   * directly and doses carry the factor (see `DoseIr.coefficient`).
   */
  concentration?: { param: number; divides: boolean };
}
