// Closed-form elimination of latent states, from the generated module alone.
// A latent state S whose equation is dS/dt = -k S + F(t) (k known or one
// parameter; F a sum of known time functions, e.g. dose-restarting forcing,
// times parameters) and that jumps at doses has the solution
//     S(t) = S0 e^{-k t} + sum_d J_d e^{-k (t - t_d)} H(t - t_d) + int_0^t e^{-k (t - s)} F(s) ds
// so S = S_known(t) + sum_m a_m psi_m(t), the a_m being parameters (columns of
// F), unknown dose amounts or an unknown initial amount. The plan below is read
// off the model's own `dictionary`/`drift` rows by evaluating them at S = 0 and
// S = 1 (the checker guarantees they are affine in S); the runtime never sees the IR.
import type { CompiledModel, Env } from "../model.js";
import { gaussLegendre } from "../numeric/quadrature.js";
import { setDoseContext } from "./weak-form.js";

/** One unknown multiplier of a latent solution's basis function. */
export type LatentCoefficient =
  /** A model parameter weighting a column of the forcing (fM2 in `strength = [1, fM2]`). */
  | { kind: "param"; param: number }
  /** The amount added by administration `dose` (0-based) of a `+= unknown` dose. */
  | { kind: "dose"; dose: number }
  /** The state's value at time 0 when no constant fixes it and no dose creates it. */
  | { kind: "initial" }
  /** Doses scaled by a parameter's coefficient (`Ad += amt / V`): basis scale * sum_d AMT_d e^{-k (t - t_d)} times c[param]. */
  | { kind: "doseScaled"; param: number; scale: number };

export interface LatentStatePlan {
  state: number;
  rate: { kind: "known"; value: number } | { kind: "param"; param: number; scale: number; offset: number };
  /** Known S(0) (0 when the state is created by its first dose), or null when it is an unknown coefficient. */
  initial: number | null;
  /** Doses add AMT (known), or one unknown amount per administration. */
  jumps: "none" | "amt" | "unknown" | "scaled";
  /** Parameters whose forcing column is non-zero. */
  forcingParams: number[];
  /** The parameter-free forcing is non-zero somewhere. */
  forcingDrift: boolean;
  coefficients: LatentCoefficient[];
  name: string;
}

export interface LatentPlan {
  latent: LatentStatePlan[];
  /** Indices of observed (regressed) states. */
  observed: number[];
  notes: string[];
}

/** Probe environments: every administration index the model may distinguish, at a few times since dose. */
function probeEnvs(model: CompiledModel): Env[] {
  const maxDose = Math.max(3, ...model.meta.doses.map((d) => (d.kind === "vector" ? d.length : 0)));
  const out: Env[] = [];
  for (let k = 0; k <= maxDose; k++)
    for (const s of [0, 0.37, 2.9])
      out.push({ dose: k, sinceDose: k === 0 ? 0 : s, cov: new Float64Array(model.meta.covariates.length).fill(1) });
  return out;
}

const TOL = 1e-12;

/** Read each latent state's elimination off the generated rows; throws with a reason when one cannot be eliminated. */
export function planLatent(model: CompiledModel): LatentPlan {
  const { meta, nStates: d, nParams: p } = model;
  const latentIdx = meta.states.map((s, k) => (s.latent ? k : -1)).filter((k) => k >= 0);
  const observed = meta.states.map((s, k) => (s.latent ? -1 : k)).filter((k) => k >= 0);
  const notes: string[] = [];
  const th = new Float64Array(d * p);
  const c = new Float64Array(d);
  const envs = probeEnvs(model);
  const plans: LatentStatePlan[] = latentIdx.map((s) => {
    const name = meta.states[s]!.name;
    const x = new Float64Array(d);
    // Other states at arbitrary positive values: the latent row must not read them.
    const rowAt = (env: Env, sVal: number, others: number): { a: Float64Array; c0: number } => {
      for (let k = 0; k < d; k++) x[k] = k === s ? sVal : others;
      model.dictionary(x, 1.3, env, th);
      model.drift(x, 1.3, env, c);
      return { a: Float64Array.from(th.subarray(s * p, s * p + p)), c0: c[s]! };
    };
    let rateB0: number | null = null;
    const rateB = new Float64Array(p);
    const forcingParams = new Set<number>();
    let forcingDrift = false;
    for (const env of envs) {
      const r0 = rowAt(env, 0, 0);
      const r1 = rowAt(env, 1, 0);
      const r2 = rowAt(env, 2, 0);
      const affine = (u0: number, u1: number, u2: number): boolean => Math.abs(u2 - 2 * u1 + u0) <= TOL * Math.max(1, Math.abs(u2));
      if (!affine(r0.c0, r1.c0, r2.c0) || r0.a.some((v, j) => !affine(v, r1.a[j]!, r2.a[j]!)))
        throw new Error(
          `latent state ${name}: its equation is not linear in ${name} itself, so it cannot be eliminated in closed form; observe it, or write its dynamics as -rate * ${name} + (terms in time and doses)`,
        );
      const rOther = rowAt(env, 0, 1.7);
      for (let j = 0; j < p; j++) {
        if (Math.abs(rOther.a[j]! - r0.a[j]!) > TOL)
          throw new Error(
            `latent state ${name}: its equation reads another state through parameter ${meta.parameters[j]!.name}; only latent states driven by time and doses can be eliminated by this runtime`,
          );
        const b = r1.a[j]! - r0.a[j]!;
        if (Math.abs(b) > TOL) {
          if (rateB[j] !== 0 && Math.abs(rateB[j]! - b) > TOL * Math.max(1, Math.abs(b)))
            throw new Error(`latent state ${name}: its decay rate changes with time or dose; it cannot be eliminated`);
          rateB[j] = b;
        }
        if (Math.abs(r0.a[j]!) > TOL) forcingParams.add(j);
      }
      if (Math.abs(rOther.c0 - r0.c0) > TOL)
        throw new Error(
          `latent state ${name}: its equation reads another state; only latent states driven by time and doses can be eliminated by this runtime`,
        );
      const b0 = r1.c0 - r0.c0;
      if (rateB0 !== null && Math.abs(rateB0 - b0) > TOL * Math.max(1, Math.abs(b0)))
        throw new Error(`latent state ${name}: its decay rate changes with time or dose; it cannot be eliminated`);
      rateB0 = b0;
      if (Math.abs(r0.c0) > TOL) forcingDrift = true;
    }
    const rateParams = [...rateB.keys()].filter((j) => rateB[j] !== 0);
    if (rateParams.length > 1)
      throw new Error(
        `latent state ${name}: its decay rate involves several parameters (${rateParams.map((j) => meta.parameters[j]!.name).join(", ")}); an outer search handles one`,
      );
    const rate: LatentStatePlan["rate"] =
      rateParams.length === 1
        ? { kind: "param", param: rateParams[0]!, scale: -rateB[rateParams[0]!]!, offset: -(rateB0 ?? 0) }
        : { kind: "known", value: -(rateB0 ?? 0) };
    const jumpDoses = meta.doses.filter((x) => x.kind === "jump" && x.state === s);
    let jumps: LatentStatePlan["jumps"] = "none";
    for (const jd of jumpDoses) {
      if (jd.kind !== "jump") continue;
      if (jd.amount === "expr")
        throw new Error(`latent state ${name}: doses given by an expression are not supported by this runtime yet; use \`+= amt\` or \`+= unknown\``);
      jumps = jd.amount;
    }
    const coefficients: LatentCoefficient[] = [...forcingParams].sort((a, b) => a - b).map((param) => ({ kind: "param", param }));
    for (const jd of jumpDoses)
      if (jd.kind === "jump" && jd.amount === "amt" && jd.coefficient?.param !== undefined) {
        jumps = "scaled";
        coefficients.push({ kind: "doseScaled", param: jd.coefficient.param, scale: jd.coefficient.scale });
      }
    let initial: number | null;
    const declared = meta.states[s]!.initial;
    if (declared !== undefined) initial = declared;
    else if (jumps !== "none") {
      initial = 0;
      notes.push(`Latent state ${name} has no declared initial value; it is taken as 0 before its first dose (the dose creates it).`);
    } else {
      initial = null;
      coefficients.push({ kind: "initial" });
      notes.push(`Latent state ${name}(0) is unknown; it is estimated per subject as a linear coefficient.`);
    }
    return { state: s, name, rate, initial, jumps, forcingParams: [...forcingParams].sort((a, b) => a - b), forcingDrift, coefficients };
  });
  return { latent: plans, observed, notes };
}

/** A latent state on one subject: known part and basis functions at the requested times. */
export interface LatentValues {
  known: Float64Array;
  /** One per coefficient of the state's plan (unknown-dose coefficients expanded to `doseCount`). */
  basis: Float64Array[];
}

export interface LatentSubject {
  doseTimes: number[];
  doseAmounts: number[];
}

/** Cells of the convolution grid per unit span: 512 cells of 8 Gauss nodes over the subject's span. */
const CELLS = 512;
const NODES = 8;

/**
 * Values of latent state `plan` with rate `k` at ascending `times`. `coefficients`
 * is the plan's list with unknown-dose coefficients expanded to one per dose
 * (see `expandCoefficients`).
 */
export function latentValues(
  model: CompiledModel,
  plan: LatentStatePlan,
  k: number,
  subject: LatentSubject,
  coefficients: LatentCoefficient[],
  times: Float64Array,
): LatentValues {
  const n = times.length;
  const known = new Float64Array(n);
  const basis = coefficients.map(() => new Float64Array(n));
  const { doseTimes, doseAmounts } = subject;
  if (plan.initial !== null) for (let i = 0; i < n; i++) known[i] = plan.initial * Math.exp(-k * times[i]!);
  // Sums over the doses given before each time, by the recurrence of dosesDecayed (one pass, not nodes x doses).
  const dosed = plan.jumps === "amt" || coefficients.some((co) => co.kind === "doseScaled") ? dosesDecayed(k, doseTimes, doseAmounts, times) : null;
  if (plan.jumps === "amt") for (let i = 0; i < n; i++) known[i] += dosed![i]!;
  coefficients.forEach((co, m) => {
    const out = basis[m]!;
    if (co.kind === "initial") for (let i = 0; i < n; i++) out[i] = Math.exp(-k * times[i]!);
    else if (co.kind === "doseScaled") for (let i = 0; i < n; i++) out[i] = co.scale * dosed![i]!;
    else if (co.kind === "dose") {
      const td = doseTimes[co.dose];
      if (td !== undefined) for (let i = 0; i < n; i++) out[i] = times[i]! > td ? Math.exp(-k * (times[i]! - td)) : 0;
    }
  });
  const forcingCols = coefficients.map((co, m) => (co.kind === "param" ? m : -1)).filter((m) => m >= 0);
  if (!plan.forcingDrift && forcingCols.length === 0) return { known, basis };
  convolve(model, plan, k, doseTimes, times, known, forcingCols.map((m) => [(coefficients[m] as { param: number }).param, basis[m]!] as const));
  return { known, basis };
}

/**
 * sum over doses d with t_d < t (a sample at a dose time is pre-dose, the trough convention of smoothOutput) of
 * AMT_d e^{-k (t - t_d)}, at ascending times, by the recurrence S(t_i) = S(t_{i-1}) e^{-k (t_i - t_{i-1})} + the doses
 * given in between: every factor is at most 1 for k >= 0, and a subject with 40 doses and a fine grid of nodes
 * costs one pass instead of nodes x doses exponentials (quinidine: most of the log-scale EM's time).
 */
export function dosesDecayed(k: number, doseTimes: readonly number[], doseAmounts: readonly number[], times: Float64Array): Float64Array {
  const n = times.length;
  const out = new Float64Array(n);
  let sum = 0;
  let prev = Number.NaN;
  let dd = 0;
  for (let i = 0; i < n; i++) {
    const t = times[i]!;
    if (dd > 0) sum *= Math.exp(-k * (t - prev));
    for (; dd < doseTimes.length && doseTimes[dd]! < t; dd++) sum += doseAmounts[dd]! * Math.exp(-k * (t - doseTimes[dd]!));
    prev = t;
    out[i] = sum;
  }
  return out;
}

/**
 * Add int_{t0}^{t} e^{-k (t - s)} F(s) ds at each time, for the drift forcing
 * (into `known`) and each parameter column (into its output), by an
 * exponential recurrence over a grid that restarts at every dose (the forcing
 * may jump there) with Gauss-Legendre on each cell.
 */
function convolve(
  model: CompiledModel,
  plan: LatentStatePlan,
  k: number,
  doseTimes: number[],
  times: Float64Array,
  known: Float64Array,
  columns: (readonly [number, Float64Array])[],
): void {
  const n = times.length;
  if (n === 0) return;
  const { nStates: d, nParams: p } = model;
  const s = plan.state;
  const t0 = Math.min(0, times[0]!, doseTimes[0] ?? 0);
  const tEnd = times[n - 1]!;
  const hMax = Math.max(tEnd - t0, 1e-12) / CELLS;
  const breaks = [...new Set([t0, ...doseTimes.filter((t) => t > t0 && t < tEnd), ...times])].sort((a, b) => a - b);
  const rule = gaussLegendre(NODES);
  const x = new Float64Array(d);
  const th = new Float64Array(d * p);
  const c = new Float64Array(d);
  const env: Env = { dose: 0, sinceDose: 0, cov: new Float64Array(model.meta.covariates.length) };
  const nc = columns.length;
  const acc = new Float64Array(nc + 1);
  const cell = new Float64Array(nc + 1);
  let ti = 0;
  while (ti < n && times[ti]! <= t0) ti++; // values at t0 itself stay 0
  for (let b = 0; b + 1 < breaks.length && ti < n; b++) {
    const u0 = breaks[b]!;
    const u1 = breaks[b + 1]!;
    const cells = Math.max(1, Math.ceil((u1 - u0) / hMax));
    const h = (u1 - u0) / cells;
    for (let cI = 0; cI < cells; cI++) {
      const a = u0 + cI * h;
      const e = a + h;
      cell.fill(0);
      for (let g = 0; g < NODES; g++) {
        const sg = a + 0.5 * h * (1 + rule.nodes[g]!);
        const w = 0.5 * h * rule.weights[g]! * Math.exp(-k * (e - sg));
        setDoseContext(env, doseTimes, sg);
        model.drift(x, sg, env, c);
        cell[0] += w * c[s]!;
        if (nc > 0) {
          model.dictionary(x, sg, env, th);
          for (let m = 0; m < nc; m++) cell[m + 1] += w * th[s * p + columns[m]![0]]!;
        }
      }
      const decay = Math.exp(-k * h);
      for (let m = 0; m <= nc; m++) acc[m] = decay * acc[m]! + cell[m]!;
    }
    while (ti < n && times[ti]! <= u1) {
      // times are breakpoints, so times[ti] === u1 here
      known[ti] += acc[0]!;
      for (let m = 0; m < nc; m++) columns[m]![1][ti] += acc[m + 1]!;
      ti++;
    }
  }
}

/** The plan's coefficients with a `+= unknown` dose expanded to one coefficient per administration (up to `doses`). */
export function expandCoefficients(plan: LatentStatePlan, doses: number): LatentCoefficient[] {
  const out = [...plan.coefficients];
  if (plan.jumps === "unknown") for (let dd = 0; dd < doses; dd++) out.push({ kind: "dose", dose: dd });
  return out;
}

/** The decay rate of a latent state given the model parameters (only the rate parameter is read). */
export function rateOf(plan: LatentStatePlan, rateParam: number): number {
  return plan.rate.kind === "known" ? plan.rate.value : plan.rate.scale * rateParam + plan.rate.offset;
}
