// `fitSparse`: data-driven selection of a sparse vector field from a
// dictionary, inside the population model. Per equation:
//   1. weak-form Gram statistics per subject (design.ts);
//   2. each subject's own constant-term column is partialled out of its rows,
//      which removes its production rate (a subject effect) exactly, whatever
//      its size; what remains depends only on the shared coefficients;
//   3. penalised selection on the pooled partialled Grams (select.ts):
//      adaptive LASSO by default, lambda by K-fold CV over whole subjects
//      with the one-SE rule (or eBIC), or SPLS; then stepwise Wald tests with
//      standard errors clustered by subject (wald-prune.ts), and the selection
//      probability of each term over complementary pairs of half-samples of
//      subjects, terms below the threshold dropped (stability.ts). The default
//      was chosen over many simulated networks (NOTES.md);
//   4. the mixed model is refitted on the selected terms plus the constant,
//      with random effects on the selected terms (`random(selected)`), which
//      gives the estimates, omegas and individual parameters.
// `subjectEffects: "pooled"` skips step 2 (one common intercept, as if all
// subjects were one trajectory): kept for comparison, it selects worse.
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import type { FitResult, ParameterEstimate } from "../fit-result.js";
import { MixedModel, type SubjectStats } from "../population/mixed-model.js";
import { buildSparseDesign, type DesignOptions, type EquationDesign, type SparseDesign } from "./design.js";
import { partialOut, restrict, type Gram } from "./gram.js";
import { selectAndTest, type FalsePositiveControl, type SelectOptions } from "./select.js";
import { falseSelectionBound } from "./stability.js";

export interface SparseOptions extends DesignOptions {
  /** Override the spec's penalty kind. */
  penalty?: "lasso" | "spls";
  /** Override the spec's lambda: "cv", "ebic" or a value (standardised units). */
  lambda?: "cv" | "ebic" | number;
  /** SPLS sparsity and components (default: the spec's, else chosen by CV). */
  eta?: number;
  K?: number;
  /** Folds of whole subjects (default 5). */
  folds?: number;
  /** Seed of the fold split and of stability subsampling (default 1). */
  seed?: number;
  /** CV rule (default "1se"). */
  rule?: "min" | "1se";
  /** False-positive control (default "adaptive": measured best, see docs in the report). */
  control?: FalsePositiveControl;
  adaptiveGamma?: number;
  stabilityThreshold?: number;
  stabilityDraws?: number;
  nLambda?: number;
  lambdaRatio?: number;
  ebicGamma?: number;
  /** Effective number of rows for eBIC (default: the summed effective degrees of freedom of the subjects' smoothed curves). */
  ebicRows?: number;
  /** Subject-clustered Wald tests of the selected terms, stepwise (default "wald": measured best, NOTES.md). */
  test?: "none" | "wald";
  testAlpha?: number;
  reenter?: boolean;
  /** Complementary pairs of half-samples of subjects behind the reported stability (default 25; 0: stability across the CV folds). */
  pairs?: number;
  /** Terms selected in fewer than this fraction of the halves are dropped (with `pairs`; default 0.5). */
  pairThreshold?: number;
  pairRule?: "intersect" | "frequency";
  pairAlpha?: number;
  /** "partial" (default): subject intercepts partialled out; "pooled": subjects treated as one. */
  subjectEffects?: "partial" | "pooled";
  /** Random effects of the refit: on every selected term (default, `random(selected)`) or on the constant only. */
  randomEffects?: "selected" | "constant";
  onProgress?: (done: number, total: number) => void;
}

export interface EquationSelection {
  state: string;
  /** Selected columns of the equation (indices into its `params`), constant included. */
  support: number[];
  stability: number[];
  tuning: number | string;
}

export function fitSparse(model: CompiledModel, data: Dataset, options: SparseOptions = {}): FitResult {
  const started = performance.now();
  return fitSparseDesign(model, buildSparseDesign(model, data, options), options, started);
}

/** Selection and refit on an assembled design (the bench compares selection methods on one design). */
export function fitSparseDesign(model: CompiledModel, design: SparseDesign, options: SparseOptions = {}, started = performance.now()): FitResult {
  const meta = model.meta;
  const penalty = options.penalty ?? meta.penalty?.kind ?? "lasso";
  const select: SelectOptions = {
    penalty,
    lambda: options.lambda ?? meta.penalty?.lambda ?? "cv",
    eta: options.eta ?? meta.penalty?.eta,
    K: options.K ?? meta.penalty?.K,
    folds: options.folds ?? 5,
    seed: options.seed ?? 1,
    rule: options.rule ?? "1se",
    control: options.control ?? "adaptive",
    adaptiveGamma: options.adaptiveGamma ?? 1,
    stabilityThreshold: options.stabilityThreshold ?? 0.8,
    stabilityDraws: options.stabilityDraws ?? 20,
    nLambda: options.nLambda ?? 60,
    lambdaRatio: options.lambdaRatio ?? 1e-3,
    ebicGamma: options.ebicGamma ?? 1,
    ebicRows: options.ebicRows,
    test: options.test ?? "wald",
    testAlpha: options.testAlpha ?? 0.05,
    reenter: options.reenter,
    pairs: options.pairs ?? 25,
    pairThreshold: options.pairThreshold ?? 0.5,
    pairRule: options.pairRule ?? "intersect",
    pairAlpha: options.pairAlpha,
  };
  const pooled = options.subjectEffects === "pooled";
  const randomOn = pooled ? "none" : (options.randomEffects ?? "constant");
  const p = model.nParams;
  const nSub = design.subjects.length;
  // Halves of fewer than 2 subjects say nothing: the stability is then across the CV folds.
  if (nSub < 4) select.pairs = 0;
  const estimate = new Float64Array(p);
  const se: (number | null)[] = new Array(p).fill(null);
  const omegaSd: (number | null)[] = new Array(p).fill(null);
  const blups = design.subjects.map(() => new Float64Array(p));
  const randomNames: string[] = [];
  const randomVar: number[] = [];
  const terms: NonNullable<FitResult["terms"]> = [];
  const perEquation: EquationSelection[] = [];
  const notes: string[] = [];
  const sigma2: Record<string, number> = {};
  let lmmStopped = 0;
  let falseBound = 0;

  design.equations.forEach((eq, e) => {
    const state = meta.states[eq.state]!.name;
    // eBIC's n: the information in the smoothed curves (sum of their effective degrees of freedom), not the overlapping rows.
    const ebicRows = select.ebicRows ?? eq.edf.reduce((a, b) => a + b, 0);
    const { support, stability, tuning, meanSelected } = selectEquation(eq, pooled, { ...select, ebicRows });
    perEquation.push({ state, support, stability, tuning });
    const candidates = eq.params.length - (eq.constant >= 0 ? 1 : 0);
    if (meanSelected !== undefined) falseBound += falseSelectionBound(meanSelected, select.pairThreshold ?? 0, candidates);
    // Refit the mixed model on the support.
    const stats: SubjectStats[] = eq.grams.map((g) => toStats(restrict(g, support)));
    const random =
      randomOn === "none" ? [] : randomOn === "constant" ? support.flatMap((j, a) => (j === eq.constant ? [a] : [])) : support.map((_, a) => a);
    const blocks = random.map((a) => ({ params: [a], full: false }));
    const lmm = new MixedModel(stats, support.length, random, blocks).fit();
    if (!lmm.converged) lmmStopped++;
    sigma2[state] = lmm.sigma2;
    support.forEach((j, a) => {
      const param = eq.params[j]!;
      estimate[param] = lmm.theta[a]!;
      const v = lmm.thetaCov[a * support.length + a]!;
      se[param] = Number.isFinite(v) && v >= 0 ? Math.sqrt(v) : null;
      const r = random.indexOf(a);
      if (r >= 0) {
        const omega2 = Math.max(0, lmm.omega[r * random.length + r]!);
        omegaSd[param] = Math.sqrt(omega2);
        randomNames.push(meta.parameters[param]!.name);
        randomVar.push(omega2);
        lmm.blups.forEach((b, i) => (blups[i]![param] = b[r]!));
      }
      terms.push({ equation: state, term: eq.terms[j]!, estimate: lmm.theta[a]!, omega: omegaSd[param]!, stability: stability[j]! });
    });
    options.onProgress?.(e + 1, design.equations.length);
  });

  const parameters: Record<string, ParameterEstimate> = {};
  meta.parameters.forEach((par, j) => (parameters[par.name] = { estimate: estimate[j]!, se: se[j]!, omega: omegaSd[j]! }));
  const individual: Record<string, Record<string, number>> = {};
  design.subjects.forEach((id, i) => {
    const row: Record<string, number> = {};
    meta.parameters.forEach((par, j) => (row[par.name] = estimate[j]! + blups[i]![j]!));
    individual[id] = row;
  });
  const q = randomNames.length;
  const matrix = Array.from({ length: q }, (_, a) => Array.from({ length: q }, (_, b) => (a === b ? randomVar[a]! : 0)));
  const selected = terms.length;
  notes.push(
    `Sparse selection (${penalty}${penalty === "lasso" ? `, ${select.control} false-positive control` : ""}, ${
      typeof select.lambda === "number" ? `lambda = ${select.lambda}` : select.lambda === "cv" ? `${select.folds}-fold CV over whole subjects, ${select.rule} rule` : "eBIC"
    }): ${selected} of ${p} dictionary terms selected; parameters not selected are reported as 0 with no SE.`,
  );
  const pairs = select.pairs ?? 0;
  const stabilityOf = pairs > 0 ? `of ${2 * pairs} half-samples of subjects` : `of the ${select.folds} cross-validation fits`;
  notes.push(
    pairs > 0
      ? `Stability of a term: the fraction ${stabilityOf} (${pairs} complementary pairs) in which the same selection selects it; ` +
          `terms below ${formatShare(select.pairThreshold ?? 0)} were dropped` +
          (Number.isFinite(falseBound) ? ` (expected false selections <= ${falseBound.toFixed(1)} by the Meinshausen-Buehlmann / Shah-Samworth bound).` : ".")
      : `Stability of a term: the fraction ${stabilityOf} (each leaving out a fold of subjects) that select it.`,
  );
  if (select.test === "wald")
    notes.push(`Each selected term was tested in the refit (Wald, standard errors clustered by subject, Bonferroni over the candidates at ${select.testAlpha}); terms not distinguishable from zero were dropped.`);
  if (pooled) notes.push("Subjects were pooled as one trajectory (no subject effects): for comparison only.");
  else if (design.equations.some((eq) => eq.constant >= 0))
    notes.push("Each subject's constant term (production) was partialled out before selection; the constant is always kept and carries a random effect.");
  if (design.skipped.length > 0) notes.push(`${design.skipped.length} subject(s) skipped: too few observations for a test function.`);
  if (lmmStopped > 0) notes.push(`The mixed-model refit stopped at its iteration limit for ${lmmStopped} equation(s).`);

  return {
    model: meta.name,
    subjects: nSub,
    seconds: (performance.now() - started) / 1000,
    parameters,
    omegaCorrelation: {},
    residual: design.residual,
    individual,
    derived: {},
    omega: { names: randomNames, matrix },
    unidentifiable: [],
    notes,
    terms,
    settings: {
      estimator: "weak-form sparse selection + LMM refit (ML)",
      penalty,
      lambda: select.lambda,
      rule: select.rule,
      control: select.control,
      folds: select.folds,
      seed: select.seed,
      subjectEffects: pooled ? "pooled" : "partial",
      randomEffects: randomOn,
      tuning: Object.fromEntries(perEquation.map((s) => [s.state, s.tuning])),
      test: select.test,
      testAlpha: select.testAlpha,
      stability: {
        of: stabilityOf,
        pairs,
        threshold: pairs > 0 ? (select.pairThreshold ?? 0) : null,
        rule: pairs > 0 ? select.pairRule : null,
        expectedFalseSelectionsBound: pairs > 0 && Number.isFinite(falseBound) ? falseBound : null,
      },
      sigma2,
    },
  };
}

/** Selection for one equation; returns support and stability in the equation's own column indices. */
export function selectEquation(
  eq: EquationDesign,
  pooled: boolean,
  options: SelectOptions,
): { support: number[]; stability: number[]; tuning: number | string; meanSelected?: number } {
  const m = eq.params.length;
  const c = eq.constant;
  if (c < 0 || pooled) {
    // No per-subject partialling: a constant column, if any, is a common unpenalised intercept.
    const free = Array.from({ length: m }, (_, j) => j === c);
    const s = selectAndTest(eq.grams, free, options, productFactors(eq.terms));
      return { support: s.support, stability: Array.from(s.stability), tuning: s.tuning, meanSelected: s.meanSelected };
  }
  const cols = Array.from({ length: m }, (_, j) => j).filter((j) => j !== c);
  const grams: Gram[] = eq.grams.map((g) => partialOut(g, c));
  const s = selectAndTest(grams, new Array(cols.length).fill(false), options, productFactors(cols.map((j) => eq.terms[j]!)));
  const support = [c, ...s.support.map((a) => cols[a]!)].sort((a, b) => a - b);
  const stability = new Array<number>(m).fill(1);
  cols.forEach((j, a) => (stability[j] = s.stability[a]!));
  return { support, stability, tuning: s.tuning, meanSelected: s.meanSelected };
}

/** Per column, the columns of its distinct factors when the term is a product (`g4*g10` -> g4, g10; `g4*g4` -> g4). */
function productFactors(terms: string[]): number[][] {
  const index = new Map(terms.map((t, j) => [t, j]));
  return terms.map((t) => {
    const parts = t.split("*");
    if (parts.length < 2) return [];
    const cols = [...new Set(parts)].map((f) => index.get(f));
    return cols.every((j) => j !== undefined) ? (cols as number[]) : [];
  });
}

function formatShare(x: number): string {
  return `${Math.round(100 * x)}%`;
}

function toStats(g: Gram): SubjectStats {
  return { n: g.n, gtg: g.xx, gty: g.xy, yty: g.yy };
}
