// What SAEM estimates, laid out once: one component per model parameter and one per initial state the model
// does not fix (Monolix estimates those too: the exports call them `X0`), each on its transformed scale
// (phi = log psi for log-normal, phi = psi for normal), with or without a random effect, and the random
// components grouped into the covariance blocks the spec declares. Covariate effects act on either kind.
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";
import { buildEffects, effectValues, type Effect } from "./effects.js";

export type Scale = "normal" | "logNormal";

export interface Component {
  name: string;
  kind: "parameter" | "initial";
  /** Parameter index (kind "parameter") or state index (kind "initial"). */
  index: number;
  scale: Scale;
  random: boolean;
}

export interface Layout {
  components: Component[];
  /** Component indices with a random effect, in order; `randomOf[c]` is c's position there or -1. */
  random: number[];
  randomOf: Int32Array;
  fixed: number[];
  /** Covariance blocks over positions in `random`. */
  blocks: { full: boolean; members: number[] }[];
  /** Covariate effects, on the transformed scale of their component. */
  effects: Effect[];
  /**
   * What SAEM moves by its Newton step rather than by sufficient statistics: the components without a random
   * effect, and the covariate effects on them.
   */
  stepped: Stepped[];
  /** Time at which the initial states hold. */
  t0: number;
  /** Initial value per state for states the model fixes (NaN where a component estimates it). */
  knownInitial: Float64Array;
  notes: string[];
}

export type Stepped = { kind: "mu"; index: number } | { kind: "beta"; index: number };

/** The start of SAEM: population values on the transformed scale and the random-effect SDs there. */
export interface Start {
  mu: Float64Array;
  /** Per effect, on the transformed scale. */
  beta: Float64Array;
  /** Per random position, SD of the transformed random effect. */
  omega: Float64Array;
}

export class RefineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefineError";
  }
}

export function toNatural(scale: Scale, phi: number): number {
  return scale === "logNormal" ? Math.exp(phi) : phi;
}

export function toTransformed(scale: Scale, psi: number): number {
  return scale === "logNormal" ? Math.log(psi) : psi;
}

export function buildLayout(model: CompiledModel, data: Dataset, firstGuess?: FitResult): Layout {
  const meta = model.meta;
  const notes: string[] = [];
  if (meta.penalty || meta.dictionaries.length > 0)
    throw new RefineError(`model ${meta.name} selects terms from a dictionary: refine the refitted model instead`);
  for (const d of meta.doses)
    if (d.kind === "jump" && d.amount !== "amt")
      throw new RefineError(`the dose into ${meta.states[d.state]!.name} has an amount that is not AMT: SAEM does not estimate dose amounts yet`);

  const components: Component[] = meta.parameters.map((p, j) => {
    // The first guess may have no omega for a random parameter (collapsed): it is still random here.
    const random = p.variability !== "fixed";
    const positive = firstGuess ? allPositive(firstGuess, p.name) : true;
    let scale: Scale = p.distribution === "logNormal" ? "logNormal" : "normal";
    if (p.distribution === "logitNormal") {
      scale = "normal";
      notes.push(`${p.name}: logit-normal is refined as normal`);
    }
    if (scale === "logNormal" && !positive)
      notes.push(`${p.name}: the first guess ${firstGuess?.parameters[p.name]?.estimate} is not positive: SAEM starts the log-normal parameter at its absolute value`);
    return { name: p.name, kind: "parameter", index: j, scale, random };
  });

  const knownInitial = new Float64Array(model.nStates).fill(Number.NaN);
  const taken = new Set(meta.parameters.map((p) => p.name));
  meta.states.forEach((s, k) => {
    if (s.initial !== undefined) knownInitial[k] = s.initial;
    else if (s.latent) knownInitial[k] = 0; // filled by doses, as in the exports
    else {
      let name = `${s.name}0`;
      while (taken.has(name)) name = `${name}_init`;
      // `X(0) ~ normal` / `X(0) positive` as declared; without a line, log-normal as Monolix's X0 defaults.
      const v = s.initialVariability;
      components.push({ name, kind: "initial", index: k, scale: v?.distribution ?? "logNormal", random: v?.random ?? true });
    }
  });
  const estimatesInitial = components.some((c) => c.kind === "initial");
  const start = dataStart(data);
  // Covariate effects on X(0) are effects at time 0 (as the spec writes them and the first guess estimates them):
  // the states then hold there, not at the data's first time.
  const effectsAtZero = meta.states.some((s) => (s.initialCovariateEffects ?? []).length > 0) && start >= 0;
  const t0 = estimatesInitial && !effectsAtZero ? start : Math.min(0, start);
  if (effectsAtZero && start > 0) notes.push(`initial values estimated at time 0 (the data start at ${start}): their covariate effects are on X(0)`);

  const random = components.flatMap((c, i) => (c.random ? [i] : []));
  const fixed = components.flatMap((c, i) => (c.random ? [] : [i]));
  const randomOf = new Int32Array(components.length).fill(-1);
  random.forEach((c, r) => (randomOf[c] = r));

  const blocks: Layout["blocks"] = [];
  const placed = new Set<number>();
  for (const b of meta.covariance) {
    const members = b.params.map((j) => randomOf[j]!).filter((r) => r >= 0 && !placed.has(r));
    if (members.length === 0) continue;
    members.forEach((r) => placed.add(r));
    blocks.push({ full: b.structure === "full" && members.length > 1, members });
  }
  for (let r = 0; r < random.length; r++) if (!placed.has(r)) blocks.push({ full: false, members: [r] });
  for (const [k, s] of meta.states.entries())
    if ((s.initialCovariateEffects ?? []).length > 0 && !components.some((c) => c.kind === "initial" && c.index === k))
      throw new RefineError(`${s.name}(0) carries covariate effects but SAEM does not estimate it (a latent state starts at 0 here)`);
  const effects = buildEffects(model, data, (k) => components.findIndex((c) => c.kind === "initial" && c.index === k));
  const stepped: Stepped[] = [
    ...fixed.map((index) => ({ kind: "mu" as const, index })),
    ...effects.flatMap((e, index) => (components[e.component]!.random ? [] : [{ kind: "beta" as const, index }])),
  ];
  return { components, random, randomOf, fixed, blocks, effects, stepped, t0, knownInitial, notes };
}

/**
 * Smallest starting omega (log scale; relative to |mu| for normal parameters). The chains explore by proposals
 * of the size of omega, so a small start leaves SAEM crawling from a poor first guess (growth_sparse: the
 * weak-form k was negative, kA off by 10x, and from omega 0.1 SAEM had not arrived after 100 iterations);
 * annealing brings a too large start down by at most 5% per iteration, 25 iterations from 0.3 to 0.1.
 */
export const OMEGA_START_MIN = 0.3;

/**
 * Start values from the first guess: the mean of the transformed individual estimates (the typical value of
 * a log-normal parameter is the geometric mean) and their SD, kept inside [OMEGA_START_MIN, 2] on the log scale.
 */
export function startFrom(model: CompiledModel, data: Dataset, layout: Layout, firstGuess?: FitResult, values?: Record<string, number>): Start {
  const n = layout.components.length;
  const mu = new Float64Array(n);
  const omega = new Float64Array(layout.random.length);
  const beta = Float64Array.from(layout.effects, (e) => effectStart(e, layout.components[e.component]!.scale, firstGuess));
  const z = data.subjects.map((s) => effectValues(layout.effects, s));
  layout.components.forEach((c, i) => {
    let samples: number[] = [];
    // The covariates' part of the individual values, averaged over the subjects that have one.
    let shift = 0;
    if (c.kind === "parameter") {
      if (firstGuess) {
        const picked = data.subjects.flatMap((s, k) => {
          const v = firstGuess.individual[s.id]?.[c.name];
          return typeof v === "number" && Number.isFinite(v) ? [{ v, k }] : [];
        });
        samples = picked.map((p) => p.v);
        layout.effects.forEach((e, k) => {
          if (e.component === i && picked.length > 0) shift += (beta[k]! * picked.reduce((a, p) => a + z[p.k]![k]!, 0)) / picked.length;
        });
      }
    } else {
      const picked = firstObservations(model, data, c.index, layout.t0);
      samples = picked.map((p) => p.v);
      // log X(0) ~ mu + B z: the first observations carry the covariates' part too.
      layout.effects.forEach((e, k) => {
        if (e.component === i && picked.length > 0) shift += (beta[k]! * picked.reduce((a, p) => a + z[p.k]![k]!, 0)) / picked.length;
      });
    }
    let typical = values?.[c.name];
    const usable = samples.every((v) => (c.scale === "logNormal" ? v > 0 : Number.isFinite(v)));
    const transformed = usable ? samples.map((v) => toTransformed(c.scale, v)) : [];
    if (typical === undefined) {
      const popEstimate = c.kind === "parameter" ? firstGuess?.parameters[c.name]?.estimate : undefined;
      if (transformed.length > 0) mu[i] = mean(transformed) - shift;
      else if (popEstimate !== undefined && (c.scale === "normal" || popEstimate !== 0)) mu[i] = toTransformed(c.scale, c.scale === "normal" ? popEstimate : Math.abs(popEstimate));
      else mu[i] = c.scale === "logNormal" ? 0 : 1;
    } else {
      if (c.scale === "logNormal" && !(typical > 0)) throw new RefineError(`${c.name}: start value ${typical} is not positive`);
      mu[i] = toTransformed(c.scale, typical);
    }
    const r = layout.randomOf[i]!;
    if (r >= 0) {
      let sd = transformed.length > 2 ? stdev(transformed) : NaN;
      const guess = c.kind === "parameter" ? firstGuess?.parameters[c.name] : undefined;
      if (!Number.isFinite(sd) && guess && guess.omega !== null && guess.estimate !== 0)
        sd = c.scale === "logNormal" ? Math.sqrt(Math.log(1 + (guess.omega / guess.estimate) ** 2)) : guess.omega;
      omega[r] =
        c.scale === "logNormal"
          ? Math.min(2, Math.max(OMEGA_START_MIN, Number.isFinite(sd) ? sd : 0.5))
          : Math.max(Number.isFinite(sd) ? sd : 0, OMEGA_START_MIN * Math.abs(mu[i]!), 1e-3);
    }
  });
  if (values) layout.effects.forEach((e, k) => (beta[k] = values[e.name] ?? 0));
  return { mu, beta, omega };
}

/** A covariate effect's start: the first guess's, on the component's scale (a log effect from a natural one by its tangent). */
function effectStart(e: Effect, scale: Scale, fit: FitResult | undefined): number {
  const g = fit?.covariateEffects?.[e.name];
  if (!g || g.estimate === null || !Number.isFinite(g.estimate)) return 0;
  if ((g.scale === "log") === (scale === "logNormal")) return g.estimate;
  if (scale === "normal") return 0;
  const typical = fit?.parameters[g.parameter]?.estimate;
  return typical && typical > 0 ? g.estimate / typical : 0;
}

/** A log-normal parameter needs a positive typical value; a few non-positive individual guesses only start at mu. */
function allPositive(fit: FitResult, name: string): boolean {
  const est = fit.parameters[name]?.estimate;
  return est === undefined || est > 0;
}

/** Per subject, the first observation of the state (inverse observation), as the exports guess X0. */
export function firstObservations(model: CompiledModel, data: Dataset, state: number, t0: number): { v: number; k: number }[] {
  const o = model.meta.observations.findIndex((ob) => ob.state === state);
  if (o < 0) return [];
  const out: { v: number; k: number }[] = [];
  data.subjects.forEach((s, k) => {
    const se = s.series[o];
    if (!se || se.times.length === 0) return;
    let y = se.values[0]!;
    if (se.times[0] !== t0 && se.times.length > 1 && se.times[1]! > se.times[0]!) {
      y += ((se.values[1]! - y) * (t0 - se.times[0]!)) / (se.times[1]! - se.times[0]!);
    }
    const x = model.invert(o, y);
    if (Number.isFinite(x)) out.push({ v: x, k });
  });
  return out;
}

function dataStart(data: Dataset): number {
  let t = Infinity;
  for (const s of data.subjects) {
    for (const d of s.doses) t = Math.min(t, d.time);
    for (const se of s.series) if (se.times.length) t = Math.min(t, se.times[0]!);
  }
  return Number.isFinite(t) ? t : 0;
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function stdev(v: number[]): number {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}
