// The typed syntax tree of one `.nlme` file. Every node carries the source
// span it came from so that later passes can point at the user's own text.
// Nodes produced by parser recovery may have missing children: passes must
// tolerate `undefined` wherever the type allows it and skip such nodes.

/** Offsets into the source text, end exclusive. Line/column are derived only when rendering. */
export interface Span {
  start: number;
  end: number;
}

export interface Node {
  span: Span;
  /**
   * Set by the parser on a node whose text had a syntax error. Its optional
   * parts may be missing because they could not be read, and a block with
   * `recovered` may have lost declarations (so "missing X" checks should not
   * fire). Declarations missing a required part are dropped, never invented.
   */
  recovered?: boolean;
}

export interface Name extends Node {
  text: string;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | NumberLit
  | Ref
  | IndexRef
  | Unary
  | Binary
  | Call
  | Dot
  | VectorLit;

export interface NumberLit extends Node {
  kind: "number";
  value: number;
  /** The literal as written, kept so that `fmt` never rewrites `1e-3` as `0.001`. */
  raw: string;
}

/** A bare identifier: a state, parameter, constant, covariate, loop index or builtin. */
export interface Ref extends Node {
  kind: "ref";
  name: Name;
}

/** `g[i]`, `g[3]`, `W[i, :]`: an indexed reference. `:` is a slice. */
export interface IndexRef extends Node {
  kind: "index";
  name: Name;
  indices: IndexArg[];
}

export type IndexArg = Expr | Slice;

export interface Slice extends Node {
  kind: "slice";
}

export interface Unary extends Node {
  kind: "unary";
  op: "-" | "+";
  arg: Expr;
}

export type BinaryOp = "+" | "-" | "*" | "/" | "^";

export interface Binary extends Node {
  kind: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export interface Call extends Node {
  kind: "call";
  callee: Name;
  args: Expr[];
}

/** `W[i, :] . Phi`: the inner product of a parameter row with a dictionary. */
export interface Dot extends Node {
  kind: "dot";
  left: Expr;
  right: Expr;
}

/** `[1, fM2]`: only allowed as a per-dose value in `doses`. */
export interface VectorLit extends Node {
  kind: "vector";
  items: Expr[];
}

// ---------------------------------------------------------------- declarations

/** `for i in 1..40` after an equation or observation: a static loop the checker unrolls. */
export interface ForClause extends Node {
  index: Name;
  from: NumberLit;
  to: NumberLit;
}

/** `1..40` inside a declaration, e.g. `g[1..40]`. */
export interface Range extends Node {
  from: NumberLit;
  to: NumberLit;
}

export interface Doc extends Node {
  text: string;
}

export interface TimeDecl extends Node {
  name: Name;
  unit?: Name;
}

export interface StateDecl extends Node {
  name: Name;
  range?: Range;
  latent: boolean;
  doc?: Doc;
}

/** `delta_S = 0.231` or the initial value `S(0) = 1`. */
export interface ConstantDecl extends Node {
  name: Name;
  /** Set for an initial value `X(0) = v`. */
  initialOf?: boolean;
  value: Expr;
  doc?: Doc;
}

/**
 * How a parameter varies, as written: `~ lognormal`, `~ normal`, `~ random` (the older spelling of `~ normal`),
 * `~ random(selected)`, `positive` (no random effect, log scale), or nothing. Any other name after `~` is kept as
 * written and reported by the checker.
 */
export type DistributionWord = "lognormal" | "normal" | "random" | "selected" | "positive" | (string & {});

/** `+ log(WT / 70)` after a parameter's distribution: one covariate effect on its transformed scale. */
export interface CovariateTerm extends Node {
  expr: Expr;
}

/** `theta ~ random`, `k ~ lognormal + log(WT / 70)`, `V positive`, `W[g, Phi] ~ random(selected)`, `delta_Ab`. */
export interface ParameterDecl extends Node {
  name: Name;
  /** `W[g, Phi]`: indexed by the states of `g` and the terms of `Phi`. */
  dims?: Name[];
  /** `H(0) ~ lognormal`: declares how the estimated initial value of state `H` varies, not a parameter. */
  initialOf?: boolean;
  variability: "fixed" | "random" | "selected";
  /** The word after `~` (or `positive`); absent for a parameter declared by its name alone. */
  distribution?: Name & { text: DistributionWord };
  /** Spans the whole `~ ...` or `positive` (without covariate terms). */
  variabilitySpan?: Span;
  covariateTerms: CovariateTerm[];
  doc?: Doc;
}

export interface CovarianceDecl extends Node {
  structure: "full" | "diagonal";
  params: Name[];
}

/** `S += amt`, `S += unknown`, `S += 2.5`. */
export interface DoseJump extends Node {
  kind: "jump";
  target: Name;
  amount: "amt" | "unknown" | Expr;
  amountSpan: Span;
}

/** `strength = [1, fM2]`: a value per administration, in order. */
export interface DoseVector extends Node {
  kind: "vector";
  name: Name;
  values: VectorLit;
}

export type DoseDecl = DoseJump | DoseVector;

export interface Target extends Node {
  name: Name;
  index?: Expr;
}

export interface Equation extends Node {
  /** Span of the `d/dt` keyword, for diagnostics about the equation as a whole. */
  target: Target;
  rhs: Expr;
  loop?: ForClause;
}

export type ErrorModelName = "constant" | "proportional" | "combined";

export interface Observation extends Node {
  target: Target;
  expr: Expr;
  error: ErrorModelName;
  errorSpan: Span;
  loop?: ForClause;
}

export interface DerivedDecl extends Node {
  name: Name;
  expr: Expr;
  doc?: Doc;
}

export interface CovariateDecl extends Node {
  name: Name;
  /** `categorical` or `categorical(reference = "F")`; absent for a continuous covariate. */
  categorical?: {
    span: Span;
    /** The named argument (`reference`), checked by the checker. */
    argName?: Name;
    /** The reference level as written, without quotes (`F`, `2`). */
    reference?: { text: string; span: Span; quoted: boolean };
  };
  doc?: Doc;
}

/** `theta_S ~ logNormal` in the `monolix` block. */
export interface MonolixDecl extends Node {
  param: Name;
  distribution: Name;
}

export interface NamedArg extends Node {
  name: Name;
  value: Expr;
}

/** `dictionary Phi = polynomial(g, degree = 2, constant = true)`. */
export interface DictionaryDecl extends Node {
  name: Name;
  family: Name;
  over: Name[];
  args: NamedArg[];
}

/** `penalty lasso(W, lambda = cv)`, `penalty spls(W, eta = 0.5, K = 3)`. */
export interface PenaltyDecl extends Node {
  kind: Name;
  param: Name;
  args: NamedArg[];
}

export interface Block<T> extends Node {
  keyword: Name;
  items: T[];
}

export interface Comment extends Node {
  text: string;
}

export interface ModelFile extends Node {
  name?: Name;
  time?: TimeDecl;
  states?: Block<StateDecl>;
  constants?: Block<ConstantDecl>;
  covariates?: Block<CovariateDecl>;
  parameters?: Block<ParameterDecl>;
  random?: Block<CovarianceDecl>;
  doses?: Block<DoseDecl>;
  dynamics?: Block<Equation>;
  observe?: Block<Observation>;
  derived?: Block<DerivedDecl>;
  monolix?: Block<MonolixDecl>;
  dictionaries: DictionaryDecl[];
  penalties: PenaltyDecl[];
  /** Blocks that appear twice are kept here so the checker can report them. */
  duplicateBlocks: Name[];
  /** Comments in source order, kept for `fmt`. */
  comments: Comment[];
}
