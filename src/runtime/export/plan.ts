// What both exports (Monolix and nlmixr2) say, decided once: exported names,
// starting values after conversion to the declared distributions, initial
// conditions, dose handling, and the right-hand sides in a neutral text
// (time is `t`, time since dose is `since_dose`, dose vectors by name).
// The Monolix and nlmixr2 writers only spell this plan in their syntax.
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { ModelMeta, ObservationMeta, TransformKind } from "../model.js";
import {
  OMEGA_MAX,
  OMEGA_MIN,
  OMEGA_MIN_RELATIVE,
  convertCorrelation,
  convertFromIndividuals,
  convertParameter,
  positiveError,
  shrinkToPositiveDefinite,
  type Bounds,
  type Distribution,
} from "./convert.js";
import { formatNumber, identifiers, renameIdentifiers, sanitizeName } from "./expr.js";
import { levelSuffix } from "../data/covariate-coefficients.js";
import type { InitialStateEstimate } from "../fit-result.js";
import { median, sd } from "../numeric/summary.js";
import { guessEffects } from "./initial-guess-effects.js";

export interface ExportOptions {
  /** Start of integration (Mlxtran `t_0`). Default: earliest dose or observation in the data, else 0. */
  t0?: number;
  /** Known or guessed initial values of states, by spec state name (override the data-based guess). */
  initialStates?: Record<string, number>;
  /** Bounds of logitNormal parameters, by spec name (default (0, 1)). */
  logitBounds?: Record<string, Bounds>;
  /** Fallback for a residual error parameter the fit did not give (default 0.1). */
  errorFallback?: number;
}

export interface PlanParameter {
  /** Exported identifier. */
  name: string;
  /** Spec name, or the dictionary term, or `X(0)` for an initial condition. */
  source: string;
  kind: "structural" | "initial";
  distribution: Distribution;
  bounds?: Bounds;
  /** Our estimate (additive scale) and its random-effect SD. */
  estimate: number;
  additiveSd: number | null;
  typical: number;
  /** SD of the transformed random effect; null = no variability. */
  omega: number | null;
  rawOmega: number | null;
  /** Covariate effects, as the spec writes them. */
  effects?: PlanCovariateEffect[];
  doc?: string;
}

/** A data column read as a covariate, with its categories (the reference first) when categorical. */
export interface PlanCovariate {
  name: string;
  kind: "continuous" | "categorical";
  categories?: string[];
}

/** A covariate term that is not the column itself (`log(WT/70)`): Monolix defines it in [COVARIATE] EQUATION. */
export interface PlanTransformedCovariate {
  name: string;
  /** Mlxtran/R text over the covariate columns, constants inlined. */
  expr: string;
}

/** One covariate effect on an exported parameter, on its transformed scale (log for logNormal). */
export type PlanCovariateEffect =
  | { kind: "continuous"; covariate: string; expr: string; coefficient: { name: string; value: number } }
  | {
      kind: "categorical";
      covariate: string;
      /** Per category (in `PlanCovariate.categories` order): null for the reference, else its coefficient. */
      coefficients: ({ name: string; value: number; level: string } | null)[];
    };

export interface PlanState {
  name: string;
  source: string;
  /** Neutral right-hand side. */
  rhs: string;
  initial: { kind: "value"; value: number } | { kind: "param"; param: string };
}

export interface PlanObservation {
  /** Exported observation (data) name. */
  name: string;
  source: string;
  state: string;
  /** Name of the model variable holding the prediction, and its neutral definition. */
  pred: string;
  predExpr: string;
  transform: TransformKind;
  error: "constant" | "proportional" | "combined";
  /** Exported error parameter names and starting values. */
  a?: { name: string; value: number };
  b?: { name: string; value: number };
}

export interface PlanCorrelation {
  name: string;
  a: string;
  b: string;
  value: number;
  /** Covariance block this pair belongs to (one Monolix `correlation` line per block). */
  block: number;
}

export interface ExportPlan {
  model: string;
  timeName: string;
  t0: number;
  states: PlanState[];
  parameters: PlanParameter[];
  constants: { name: string; value: number }[];
  observations: PlanObservation[];
  correlations: PlanCorrelation[];
  /** Covariate columns the individual parameters read (empty without covariate effects). */
  covariates: PlanCovariate[];
  /** Covariate terms Monolix computes in [COVARIATE] EQUATION. */
  transformedCovariates: PlanTransformedCovariate[];
  /** Bolus jumps: every administration with ADM = adm adds p * AMT to target. */
  jumps: { target: string; adm: number; p: string }[];
  /** Dose vectors: value on the interval after administration k (1-based), 0 outside 1..length. */
  vectors: { name: string; values: string[] }[];
  /** Indicators `(dose == k)` used by the equations, by exported variable name. */
  doseIndicators: { name: string; k: number }[];
  usesSinceDose: boolean;
  /** The equations need the index of the most recent administration (Monolix: a regressor). */
  needsDoseIndex: boolean;
  /** The data have steady-state doses (SS=1 with II): the exports say how their tools read them. */
  steadyState?: boolean;
  notes: string[];
}

/** Names that exports may not use for a model quantity. */
export const RESERVED = new Set([
  "t",
  "t0",
  "t_0",
  "time",
  "tDose",
  "amtDose",
  "inftDose",
  "since_dose",
  "dose_index",
  "dose",
  "exp",
  "log",
  "log10",
  "sqrt",
  "abs",
  "min",
  "max",
  "sin",
  "cos",
  "tan",
  "asin",
  "acos",
  "atan",
  "atan2",
  "sinh",
  "cosh",
  "tanh",
  "logit",
  "invlogit",
  "probit",
  "floor",
  "ceil",
  "factorial",
  "gammaln",
  "rem",
  "delay",
  "if",
  "else",
  "elseif",
  "end",
  "input",
  "output",
  "table",
  "odeType",
  "depot",
  "empty",
  "reset",
  "pi",
  "dt",
  "ini",
  "model",
  "expit",
  "fix",
  "label",
  "add",
  "prop",
  "PK",
  "EQUATION",
  "OUTPUT",
  "DEFINITION",
  "tad",
  "tad0",
  "dosenum",
]);

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}

class Namer {
  private readonly used = new Set<string>(RESERVED);
  take(wanted: string): string {
    let name = sanitizeName(wanted);
    while (this.used.has(name) || this.used.has(name.toLowerCase())) name = `${name}_`;
    this.used.add(name);
    return name;
  }
  reserve(name: string): void {
    this.used.add(name);
  }
}

const DOSE_INDICATOR = /\(\s*dose\s*==\s*(\d+)\s*\)/g;

/** Strips `d_g1/dt`, `d/dt g1`, `d/dt(g1)` down to `g1`. */
export function equationState(equation: string): string {
  return equation
    .trim()
    .replace(/^d\/dt\s*\(?\s*/, "")
    .replace(/^d_/, "")
    .replace(/\s*\)?\s*$/, "")
    .replace(/\/dt$/, "");
}

export function buildPlan(meta: ModelMeta, fit: FitResult, data?: Dataset, options: ExportOptions = {}): ExportPlan {
  const notes: string[] = [];
  const namer = new Namer();

  // States first: their names also reserve `ddt_X` and `X_0` for Mlxtran.
  const stateName = meta.states.map((s) => {
    const n = namer.take(s.name);
    namer.reserve(`ddt_${n}`);
    namer.reserve(`${n}_0`);
    return n;
  });
  const constants: { name: string; value: number }[] = [];
  const constName = new Map<string, string>();
  for (const [name, value] of Object.entries(meta.constants)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue; // `S(0) = 1` arrives as StateMeta.initial
    const n = namer.take(name);
    constName.set(name, n);
    constants.push({ name: n, value });
  }
  const vectorName = new Map<string, string>();
  for (const d of meta.doses) if (d.kind === "vector") vectorName.set(d.name, namer.take(d.name));

  const parameters: PlanParameter[] = [];
  const paramName = new Map<string, string>();
  const isDictionary = meta.dictionaries.length > 0;
  const selectedRhs = new Map<number, string[]>();

  const addParameter = (
    source: string,
    estimate: number,
    additiveSd: number | null,
    distribution: Distribution,
    doc?: string,
  ): string => {
    const name = namer.take(source);
    const bounds = distribution === "logitNormal" ? (options.logitBounds?.[source] ?? { min: 0, max: 1 }) : undefined;
    const fitted = fit.parameters[source];
    // Estimated on the log scale already: the typical value and the SD of the log are Monolix's own.
    const c = fitted?.scale === "log" && distribution === "logNormal"
      ? { typical: estimate, omega: additiveSd, rawOmega: additiveSd, notes: [] as string[] }
      : fit.parameters[source]?.fromIndividuals && additiveSd !== null
      ? convertFromIndividuals(source, Object.values(fit.individual).map((p) => p[source] ?? NaN), distribution, bounds)
      : convertParameter(source, estimate, additiveSd, distribution, bounds);
    notes.push(...c.notes);
    parameters.push({
      name,
      source,
      kind: "structural",
      distribution,
      ...(bounds ? { bounds } : {}),
      estimate,
      additiveSd,
      typical: c.typical,
      omega: c.omega,
      rawOmega: c.rawOmega,
      ...(doc ? { doc } : {}),
    });
    paramName.set(source, name);
    return name;
  };

  if (isDictionary) {
    if (!fit.terms) throw new ExportError(`model ${meta.name} has a dictionary but the fit lists no selected terms`);
    const stateIndex = new Map(meta.states.map((s, i) => [s.name, i]));
    for (const term of fit.terms) {
      const k = stateIndex.get(equationState(term.equation));
      if (k === undefined) throw new ExportError(`selected term ${term.equation}:${term.term} names no state`);
      const declared = meta.parameters.find(
        (p) => p.dictionaryTerm && p.dictionaryTerm.state === k && p.dictionaryTerm.term === term.term,
      );
      // Dictionary coefficients are signed: a log-normal would flip negative terms.
      const source = declared?.name ?? `W_${meta.states[k]!.name}_${term.term}`;
      const name = addParameter(
        source,
        term.estimate,
        term.omega,
        "normal",
        `term ${term.term} of d${meta.states[k]!.name}/dt`,
      );
      const factors = term.term === "1" ? [] : term.term.split("*").map((f) => f.trim());
      for (const f of factors)
        if (!stateIndex.has(f)) throw new ExportError(`selected term ${term.term} uses ${f}, which is not a state`);
      const monomial = factors.map((f) => stateName[stateIndex.get(f)!]!).join(" * ");
      const list = selectedRhs.get(k) ?? [];
      list.push(monomial === "" ? name : `${name} * ${monomial}`);
      selectedRhs.set(k, list);
    }
    notes.push(`dictionary model: only the ${fit.terms.length} selected terms are exported, as explicit equations`);
  } else {
    for (const p of meta.parameters) {
      const est = fit.parameters[p.name];
      if (!est) throw new ExportError(`the fit has no estimate for parameter ${p.name}`);
      const sd = p.variability === "fixed" ? null : est.omega;
      addParameter(p.name, est.estimate, sd, p.distribution, p.doc);
    }
  }

  // Right-hand sides in neutral text.
  // meta.equations spell names through the code generator's mathName (= sanitizeName).
  const renames = new Map<string, string>();
  const alias = (source: string, exported: string) => {
    renames.set(sanitizeName(source), exported);
    renames.set(source, exported);
  };
  meta.states.forEach((s, k) => alias(s.name, stateName[k]!));
  for (const [src, n] of constName) alias(src, n);
  for (const [src, n] of vectorName) alias(src, n);
  for (const [src, n] of paramName) alias(src, n);
  alias(meta.time.name, "t");
  const rename = (id: string): string | undefined => renames.get(id);
  const doseIndicators = new Map<number, string>();
  const rhsText = meta.states.map((_, k) => {
    if (isDictionary) return (selectedRhs.get(k) ?? ["0"]).join(" + ");
    const raw = meta.equations[k];
    if (raw === undefined)
      throw new ExportError(`meta.equations has no right-hand side for state ${meta.states[k]!.name}`);
    const withIndicators = raw.replace(DOSE_INDICATOR, (_m, kk: string) => {
      const n = Number(kk);
      if (!doseIndicators.has(n)) doseIndicators.set(n, namer.take(`dose_is_${n}`));
      return doseIndicators.get(n)!;
    });
    return renameIdentifiers(withIndicators, rename);
  });

  const t0 = options.t0 ?? startTime(meta, fit, data, options, notes);
  const first = dataStart(data);
  if (first !== undefined && first > t0)
    notes.push(`nlmixr2 starts each subject at its first record: give each one a row at TIME = ${formatNumber(t0)} (EVID = 2) to start at t_0`);

  // `X0` names the initial value of X unless that reads as another name (g1 -> g10); then `X_init` for all.
  const taken = new Set([...stateName, ...paramName.values(), ...constName.values()]);
  const initSuffix = stateName.some((n) => taken.has(`${n}0`)) ? "_init" : "0";
  // Initial conditions: known constant, 0 for a latent dose-fed state, else an estimated parameter.
  // Covariate coefficients regressed on the same data guesses as their initial value's typical value.
  const guessedCoefficients = new Map<string, number>();
  const states: PlanState[] = meta.states.map((s, k) => {
    const name = stateName[k]!;
    const rhs = rhsText[k]!;
    if (s.initial !== undefined) return { name, source: s.name, rhs, initial: { kind: "value", value: s.initial } };
    if (s.latent) {
      notes.push(`${s.name}(t_0) = 0: latent state without a declared initial value (it is filled by doses)`);
      return { name, source: s.name, rhs, initial: { kind: "value", value: 0 } };
    }
    const fitted = t0 === 0 ? fit.initialStates?.[s.name] : undefined;
    if (t0 !== 0 && fit.initialStates?.[s.name] && options.initialStates?.[s.name] === undefined)
      notes.push(`${s.name}(0): the fit's value is at time 0, not at t_0 = ${formatNumber(t0)}; the export starts from the data instead`);
    const param = initialParameter(initSuffix, meta, k, name, t0, data, options, namer, notes, fitted, guessedCoefficients);
    parameters.push(param);
    return { name, source: s.name, rhs, initial: { kind: "param", param: param.name } };
  });

  const observations = meta.observations.map((o) =>
    observationPlan(o, stateName[o.state]!, fit, namer, notes, options),
  );
  const correlations = correlationPlan(meta, fit, parameters, notes);
  const { covariates, transformedCovariates } = covariatePlan(meta, fit, data, parameters, namer, notes, guessedCoefficients);

  const jumps: ExportPlan["jumps"] = [];
  const adms = data ? [...new Set(data.subjects.flatMap((s) => s.doses.map((d) => d.adm)))].sort((a, b) => a - b) : [];
  for (const d of meta.doses) {
    if (d.kind !== "jump") continue;
    if (d.amount !== "amt")
      notes.push(
        `dose into ${meta.states[d.state]!.name}: amount '${d.amount}' is exported as p = 1 (AMT from the data)`,
      );
    // A dose scaled by a coefficient (`C += amt / V`): p = scale * c, with c = 1/V for a reciprocal V (exported as V).
    const p = doseFactorText(meta, d.coefficient, (src) => paramName.get(src) ?? src);
    for (const adm of adms.length ? adms : [1]) jumps.push({ target: stateName[d.state]!, adm, p });
  }

  const vectors: ExportPlan["vectors"] = [];
  const rhsIds = new Set(identifiers(rhsText.join(" ")));
  for (const d of meta.doses) {
    if (d.kind !== "vector" || !rhsIds.has(vectorName.get(d.name)!)) continue; // expanded into (dose == k) terms
    if (!d.values || d.values.length !== d.length)
      throw new ExportError(`dose vector ${d.name}: the model's meta carries no value text (meta.doses[].values)`);
    vectors.push({ name: vectorName.get(d.name)!, values: d.values.map((v) => renameIdentifiers(v, rename)) });
  }
  const allText = [...rhsText, ...vectors.flatMap((v) => v.values)].join(" ");
  const usesSinceDose = identifiers(allText).includes("since_dose");
  const usedVectors = vectors;
  const needsDoseIndex = usesSinceDose || usedVectors.length > 0 || doseIndicators.size > 0;

  return {
    model: meta.name,
    timeName: meta.time.name,
    t0,
    states,
    parameters,
    constants,
    observations,
    correlations,
    covariates,
    transformedCovariates,
    jumps,
    vectors: usedVectors,
    doseIndicators: [...doseIndicators].map(([k, name]) => ({ name, k })),
    usesSinceDose,
    needsDoseIndex,
    ...(data?.subjects.some((s) => s.doses.some((d) => d.steadyState)) ? { steadyState: true } : {}),
    notes,
  };
}

/**
 * Covariate effects: the fit's coefficients (on the parameter's transformed scale) as initial values, the columns
 * they read, and each continuous term that is not a bare column as a transformed covariate. Column names are kept
 * as in the data (Monolix and nlmixr2 read them from there).
 */
function covariatePlan(
  meta: ModelMeta,
  fit: FitResult,
  data: Dataset | undefined,
  parameters: PlanParameter[],
  namer: Namer,
  notes: string[],
  /** Coefficients that replace the fit's (initial values guessed from the data, initial-guess-effects.ts). */
  replaced: Map<string, number>,
): { covariates: PlanCovariate[]; transformedCovariates: PlanTransformedCovariate[] } {
  const covariates: PlanCovariate[] = [];
  const transformedCovariates: PlanTransformedCovariate[] = [];
  const used = new Map<number, PlanCovariate>();
  const levelsOf = (k: number): string[] => fit.covariateLevels?.[meta.covariates[k]!] ?? data?.levels?.[meta.covariates[k]!] ?? [];
  const column = (k: number): PlanCovariate => {
    let c = used.get(k);
    if (!c) {
      const categorical = meta.covariateTypes?.[k]?.kind === "categorical";
      c = { name: meta.covariates[k]!, kind: categorical ? "categorical" : "continuous", ...(categorical ? { categories: levelsOf(k) } : {}) };
      namer.reserve(c.name);
      used.set(k, c);
      covariates.push(c);
    }
    return c;
  };
  const inline = (text: string): string =>
    renameIdentifiers(text, (id) => (id in meta.constants ? formatNumber(meta.constants[id]!) : undefined));
  const transformed = new Map<string, string>();
  const value = (name: string): number => {
    const r = replaced.get(name);
    if (r !== undefined) return r;
    const e = fit.covariateEffects?.[name];
    if (!e) {
      notes.push(`${name}: the fit has no estimate of this covariate coefficient; started at 0`);
      return 0;
    }
    return e.estimate ?? 0;
  };
  // Parameters' effects, and an estimated initial value's (`W(0) ~ lognormal + DIET`) on its X0 parameter.
  const carriers = [
    ...meta.parameters.map((par) => ({ source: par.name, effects: par.covariateEffects ?? [] })),
    ...meta.states.map((st) => ({ source: `${st.name}(0)`, effects: st.initialCovariateEffects ?? [] })),
  ];
  carriers.forEach(({ source, effects }) => {
    if (effects.length === 0) return;
    const target = parameters.find((q) => q.source === source);
    if (!target) return;
    target.effects = effects.map((e): PlanCovariateEffect => {
      const col = column(e.covariate);
      if (e.kind === "categorical") {
        const cats = col.categories ?? [];
        if (cats.length === 0) notes.push(`${e.name}: the levels of ${col.name} are unknown (no data and none in the fit); no coefficient exported`);
        return {
          kind: "categorical",
          covariate: col.name,
          coefficients: cats.map((level, i) => {
            if (i === 0) return null;
            const name = namer.take(`${e.name}_${levelSuffix(level)}`);
            return { name, value: value(`${e.name}_${levelSuffix(level)}`), level };
          }),
        };
      }
      const expr = inline(e.text);
      let covName = col.name;
      if (expr.replace(/\s+/g, "") !== col.name) {
        covName = transformed.get(expr) ?? "";
        if (covName === "") {
          covName = namer.take(`t${col.name}`);
          transformed.set(expr, covName);
          transformedCovariates.push({ name: covName, expr });
        }
      }
      return { kind: "continuous", covariate: covName, expr, coefficient: { name: namer.take(e.name), value: value(e.name) } };
    });
  });
  return { covariates, transformedCovariates };
}

/**
 * Start of integration when the options do not set it: the data's first time, unless the fit estimated an X(0).
 * Those values are held at time 0 (estimate/initial-states.ts integrates each subject back to 0), and so are the
 * covariate effects on them; the exported initial condition is taken there too, else the typical value would be a
 * guess at the first sample while the coefficients stayed the fit's at time 0.
 */
function startTime(meta: ModelMeta, fit: FitResult, data: Dataset | undefined, options: ExportOptions, notes: string[]): number {
  const start = dataStart(data);
  const fitted = meta.states
    .filter((s) => s.initial === undefined && !s.latent && options.initialStates?.[s.name] === undefined)
    .filter((s) => usableFitted(fit.initialStates?.[s.name]))
    .map((s) => `${s.name}(0)`);
  if (fitted.length > 0 && (start === undefined || start >= 0)) {
    if (start !== undefined && start > 0)
      notes.push(`t_0 = 0, before the data's first time ${formatNumber(start)}: the fit estimated ${fitted.join(", ")} at time 0 (with any covariate effects on them)`);
    return 0;
  }
  if (start === undefined) notes.push("t_0 = 0 (no data given to place it)");
  return start ?? 0;
}

/** A fitted X(0) the exports can start from: any additive value, a positive log-scale one. */
function usableFitted(fitted: InitialStateEstimate | undefined): fitted is InitialStateEstimate {
  return fitted !== undefined && (fitted.scale === "additive" || fitted.estimate > 0);
}

function dataStart(data?: Dataset): number | undefined {
  if (!data) return undefined;
  let t = Infinity;
  for (const s of data.subjects) {
    for (const d of s.doses) t = Math.min(t, d.time);
    for (const se of s.series) if (se.times.length) t = Math.min(t, se.times[0]!);
  }
  return Number.isFinite(t) ? t : undefined;
}

function inverse(o: ObservationMeta, y: number): number {
  switch (o.transform) {
    case "identity":
      return y;
    case "log":
      return Math.exp(y);
    case "log10":
      return 10 ** y;
    case "exp":
      return Math.log(y);
    case "affine":
      return (y - (o.offset ?? 0)) / (o.scale ?? 1);
  }
}

/**
 * Monolix needs every state's value at t_0; the weak form never estimates it.
 * Guess per subject from the data of an output observing the state: the value
 * at t_0, else a straight line through the first two points back to t_0 (on
 * the observed scale), mapped through the inverse observation. The typical
 * value is the median (logNormal when every guess is positive) and omega the
 * spread of the guesses.
 */
function initialParameter(
  initSuffix: string,
  meta: ModelMeta,
  k: number,
  stateName: string,
  t0: number,
  data: Dataset | undefined,
  options: ExportOptions,
  namer: Namer,
  notes: string[],
  /** The fit's estimate of X(0) (estimate/initial-states.ts), used when no value is given in the options. */
  fitted: InitialStateEstimate | undefined,
  /** Receives the covariate coefficients regressed on the guesses, when the state carries effects. */
  guessedCoefficients: Map<string, number>,
): PlanParameter {
  const source = `${meta.states[k]!.name}(0)`;
  const name = namer.take(`${stateName}${initSuffix}`);
  const guesses: number[] = [];
  const covariatesOf: Float64Array[] = [];
  const given = options.initialStates?.[meta.states[k]!.name];
  const obsIdx = meta.observations.findIndex((o) => o.state === k);
  if (given === undefined && data && obsIdx >= 0) {
    const o = meta.observations[obsIdx]!;
    for (const s of data.subjects) {
      const se = s.series[obsIdx];
      if (!se) continue;
      const pts: [number, number][] = [];
      for (let i = 0; i < se.times.length && pts.length < 2; i++) {
        const v = se.values[i]!;
        if (Number.isFinite(v) && !(se.censored && se.censored[i])) {
          if (pts.length === 1 && se.times[i] === pts[0]![0]) continue;
          pts.push([se.times[i]!, v]);
        }
      }
      if (pts.length === 0) continue;
      let y = pts[0]![1];
      if (pts[0]![0] !== t0 && pts.length === 2) {
        const [[ta, ya], [tb, yb]] = pts as [[number, number], [number, number]];
        y = ya + ((yb - ya) * (t0 - ta)) / (tb - ta);
      }
      const x = inverse(o, y);
      if (!Number.isFinite(x)) continue;
      guesses.push(x);
      covariatesOf.push(s.covariates);
    }
  }
  let typical: number;
  let omega: number;
  let distribution: Distribution;
  if (given !== undefined) {
    distribution = given > 0 ? "logNormal" : "normal";
    typical = given;
    omega = distribution === "logNormal" ? OMEGA_MIN : Math.max(OMEGA_MIN_RELATIVE * Math.abs(given), 1e-3);
    notes.push(`${source}: initial value ${given} given in the export options`);
  } else if (usableFitted(fitted)) {
    distribution = fitted.scale === "log" ? "logNormal" : "normal";
    typical = fitted.estimate;
    omega = distribution === "logNormal" ? Math.min(OMEGA_MAX, Math.max(OMEGA_MIN, fitted.omega)) : Math.max(fitted.omega, OMEGA_MIN_RELATIVE * Math.abs(typical), 1e-3);
    notes.push(`${source}: estimated in Monolix as ${name} (random, ${distribution}); start from the fit's estimate (${fitted.note})`);
  } else if (guesses.length > 0) {
    distribution = guesses.every((g) => g > 0) ? "logNormal" : "normal";
    const log = distribution === "logNormal";
    const regressed = guessEffects(meta, k, guesses.map((value, i) => ({ value, covariates: covariatesOf[i]! })), log, data?.levels);
    if (regressed) {
      typical = regressed.typical;
      omega = log ? Math.min(OMEGA_MAX, Math.max(OMEGA_MIN, regressed.omega)) : Math.max(regressed.omega, OMEGA_MIN_RELATIVE * Math.abs(typical), 1e-3);
      for (const [c, v] of regressed.coefficients) guessedCoefficients.set(c, v);
    } else if (log) {
      const logs = guesses.map(Math.log);
      typical = Math.exp(median(logs));
      omega = Math.min(OMEGA_MAX, Math.max(OMEGA_MIN, sd(logs)));
    } else {
      typical = median(guesses);
      omega = Math.max(sd(guesses), OMEGA_MIN_RELATIVE * Math.abs(typical), 1e-3);
    }
    notes.push(
      `${source}: estimated in Monolix as ${name} (random, ${distribution}); start from the data of ` +
        `${guesses.length} subjects at t_0 = ${t0} (${regressed ? `the reference level of a least-squares regression of the first observations${log ? " (log)" : ""} on ${[...regressed.coefficients.keys()].join(", ")}, which start from it too` : "median of the first observations"}, extrapolated to t_0 when later)`,
    );
  } else {
    distribution = "logNormal";
    typical = 1;
    omega = OMEGA_MIN;
    notes.push(`${source}: no data to guess the initial value from; started at 1 (set options.initialStates)`);
  }
  return {
    name,
    source,
    kind: "initial",
    distribution,
    estimate: typical,
    additiveSd: null,
    typical,
    omega,
    rawOmega: omega,
    doc: `initial value of ${meta.states[k]!.name} at t_0`,
  };
}

/** Keeps log arguments positive without changing any realistic prediction. */
const LOG_GUARD = "1e-300";

function observationPlan(
  o: ObservationMeta,
  state: string,
  fit: FitResult,
  namer: Namer,
  notes: string[],
  options: ExportOptions,
): PlanObservation {
  const name = namer.take(o.name);
  const pred = namer.take(`${name}_pred`);
  let predExpr: string;
  switch (o.transform) {
    case "identity":
      predExpr = state;
      break;
    case "log":
      predExpr = `log(max(${state}, ${LOG_GUARD}))`;
      break;
    case "log10":
      predExpr = `log10(max(${state}, ${LOG_GUARD}))`;
      break;
    case "exp":
      predExpr = `exp(${state})`;
      break;
    case "affine":
      predExpr = `${o.scale ?? 1} * ${state} + ${o.offset ?? 0}`;
      break;
  }
  const r = fit.residual[o.name];
  const fallback = options.errorFallback ?? 0.1;
  const plan: PlanObservation = { name, source: o.name, state, pred, predExpr, transform: o.transform, error: o.error };
  if (o.error === "constant" || o.error === "combined")
    plan.a = { name: namer.take(`a_${name}`), value: positiveError(`a_${name}`, r?.a, fallback, notes) };
  if (o.error === "proportional" || o.error === "combined")
    plan.b = { name: namer.take(`b_${name}`), value: positiveError(`b_${name}`, r?.b, fallback, notes) };
  return plan;
}

function correlationPlan(meta: ModelMeta, fit: FitResult, params: PlanParameter[], notes: string[]): PlanCorrelation[] {
  const out: PlanCorrelation[] = [];
  meta.covariance.forEach((block, bi) => {
    if (block.structure !== "full") return;
    const members = block.params
      .map((i) => meta.parameters[i]!.name)
      .map((src) => params.find((p) => p.source === src))
      .filter((p): p is PlanParameter => !!p && p.omega !== null && (p.rawOmega ?? 0) > 0);
    if (members.length < 2) return;
    const n = members.length;
    const corr: number[][] = members.map((_, i) => members.map((__, j) => (i === j ? 1 : 0)));
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const p = members[i]!;
        const q = members[j]!;
        const cov = additiveCovariance(fit, p, q);
        const r =
          cov === null
            ? 0
            : convertCorrelation(
                {
                  distribution: p.distribution,
                  theta: validTheta(p),
                  rawOmega: p.rawOmega!,
                  ...(p.bounds ? { bounds: p.bounds } : {}),
                },
                {
                  distribution: q.distribution,
                  theta: validTheta(q),
                  rawOmega: q.rawOmega!,
                  ...(q.bounds ? { bounds: q.bounds } : {}),
                },
                cov,
              );
        corr[i]![j] = corr[j]![i] = r;
      }
    const { matrix, factor } = shrinkToPositiveDefinite(corr);
    if (factor < 1)
      notes.push(
        `correlations of (${members.map((m) => m.source).join(", ")}) shrunk by ${factor.toPrecision(3)} to stay positive definite`,
      );
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++)
        out.push({
          name: `corr_${members[i]!.name}_${members[j]!.name}`,
          a: members[i]!.name,
          b: members[j]!.name,
          value: matrix[i]![j]!,
          block: bi,
        });
  });
  return out;
}

/** The theta the conversion used (|theta| or the floor for a non-positive logNormal estimate). */
function validTheta(p: PlanParameter): number {
  if (p.distribution === "logNormal")
    return p.omega === null ? p.typical : p.typical * Math.exp((p.omega * p.omega) / 2);
  return p.typical;
}

function additiveCovariance(fit: FitResult, p: PlanParameter, q: PlanParameter): number | null {
  const names = fit.omega?.names ?? [];
  const i = names.indexOf(p.source);
  const j = names.indexOf(q.source);
  if (i >= 0 && j >= 0) {
    const v = fit.omega.matrix[i]?.[j];
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  const r = fit.omegaCorrelation[`${p.source},${q.source}`] ?? fit.omegaCorrelation[`${q.source},${p.source}`];
  if (r === undefined || p.additiveSd === null || q.additiveSd === null) return null;
  return r * p.additiveSd * q.additiveSd;
}

/** The Mlxtran/R text of a dose's factor (`1/V`, `0.5`, `F`), "1" when the dose is AMT as it is. */
function doseFactorText(meta: ModelMeta, coefficient: { scale: number; param?: number } | undefined, name: (source: string) => string): string {
  if (!coefficient) return "1";
  const scale = coefficient.scale;
  if (coefficient.param === undefined) return String(scale);
  const par = meta.parameters[coefficient.param]!;
  const n = name(par.name);
  if (par.estimatedAs === "reciprocal") return scale === 1 ? `1/${n}` : `${scale}/${n}`;
  return scale === 1 ? n : `${scale}*${n}`;
}
