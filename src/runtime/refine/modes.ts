// Conditional modes (MAP estimates) of each subject's random effects: argmax log p(y_i | phi) + log p(phi) by
// Nelder-Mead from the conditional mean. A derivative-free search because every evaluation is an ODE solve and
// the dimension is the number of random effects (2 to 5).
import type { SubjectChain } from "./chain.js";
import type { Layout } from "./layout.js";
import { priorQuadratic, type Population, type PopulationFactors } from "./population.js";
import { wait, type Steps } from "../threads/steps.js";
import type { ChainRunner } from "./chain-runner.js";

/** The conditional modes of every subject, in subject order (`runner` searches each). */
export function* conditionalModes(runner: ChainRunner, pop: Population, start: Float64Array[], spread: Float64Array[]): Steps<Float64Array[]> {
  return yield* wait(runner.modes(pop, start, spread));
}

/** Subject `ch`'s mode from `start`, first steps the size of its conditional SDs (`spread`, nR x nR). */
export function subjectMode(layout: Layout, ch: SubjectChain, pop: Population, factors: PopulationFactors, start: Float64Array, spread: Float64Array): Float64Array {
  const nR = layout.random.length;
  if (nR === 0) return new Float64Array(0);
  const pred = new Float64Array(ch.predictor.obs.n);
  const objective = (phi: Float64Array) => {
    const ll = ch.evaluate(pop, phi, pred);
    return Number.isFinite(ll) ? -(ll + priorQuadratic(layout, ch.mean(pop), factors, phi)) : Infinity;
  };
  const step = Float64Array.from({ length: nR }, (_, r) => Math.max(Math.sqrt(Math.max(spread[r * nR + r]!, 0)), 0.05 * Math.sqrt(pop.omega[r * nR + r]!), 1e-6));
  return nelderMead(objective, start, step, 60 * nR + 60, 1e-8);
}

export function nelderMead(f: (x: Float64Array) => number, x0: Float64Array, step: Float64Array, maxEvals: number, ftol: number): Float64Array {
  const n = x0.length;
  const pts: Float64Array[] = [Float64Array.from(x0)];
  for (let j = 0; j < n; j++) {
    const p = Float64Array.from(x0);
    p[j] = p[j]! + step[j]!;
    pts.push(p);
  }
  const vals = pts.map(f);
  let evals = n + 1;
  const centroid = new Float64Array(n);
  const at = (t: number, worst: Float64Array) => Float64Array.from(centroid, (c, j) => c + t * (worst[j]! - c));
  while (evals < maxEvals) {
    const order = vals.map((v, k) => k).sort((a, b) => vals[a]! - vals[b]!);
    const sorted = order.map((k) => pts[k]!);
    const sv = order.map((k) => vals[k]!);
    pts.splice(0, pts.length, ...sorted);
    vals.splice(0, vals.length, ...sv);
    if (Math.abs(vals[n]! - vals[0]!) <= ftol * (Math.abs(vals[0]!) + 1e-12)) break;
    centroid.fill(0);
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) centroid[j]! += pts[k]![j]! / n;
    const worst = pts[n]!;
    const xr = at(-1, worst);
    const fr = f(xr);
    evals++;
    if (fr < vals[0]!) {
      const xe = at(-2, worst);
      const fe = f(xe);
      evals++;
      if (fe < fr) {
        pts[n] = xe;
        vals[n] = fe;
      } else {
        pts[n] = xr;
        vals[n] = fr;
      }
    } else if (fr < vals[n - 1]!) {
      pts[n] = xr;
      vals[n] = fr;
    } else {
      const xc = fr < vals[n]! ? at(-0.5, worst) : at(0.5, worst);
      const fc = f(xc);
      evals++;
      if (fc < Math.min(fr, vals[n]!)) {
        pts[n] = xc;
        vals[n] = fc;
      } else {
        for (let k = 1; k <= n; k++) {
          for (let j = 0; j < n; j++) pts[k]![j] = pts[0]![j]! + 0.5 * (pts[k]![j]! - pts[0]![j]!);
          vals[k] = f(pts[k]!);
          evals++;
        }
      }
    }
  }
  let best = 0;
  for (let k = 1; k < vals.length; k++) if (vals[k]! < vals[best]!) best = k;
  return pts[best]!;
}
