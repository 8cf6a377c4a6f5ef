// Where SAEM's second run starts on a model with first-order absorption into one compartment (`meta.absorption`):
// the flip-flop twin of the first run's estimate (ka and ke swapped, the curve's scale kept: flip-flop.ts), with
// every subject at the twin of its conditional mean. The data cannot tell the two branches apart through the typical
// curve; the random effects' structure and the likelihood can, weakly, and SAEM does not cross from one branch to the
// other (quinidine from the first guess stayed 3.6 log-likelihood units below the other branch's mode).
import type { ModelMeta } from "../model.js";
import type { RefinedFit } from "../fit-result.js";
import { branchesApart, branchOf, flipFlopTwin } from "../flip-flop.js";
import { OMEGA_START_MIN, toNatural, toTransformed, type Layout, type Start } from "./layout.js";
import type { Population } from "./population.js";
import type { ResidualParams } from "./residual.js";

/** A start given in full: what the second run of `refineSteps` takes instead of the first guess. */
export interface BranchStart {
  start: Start;
  residual: ResidualParams;
  /** Per subject id, the chain's first state (the random components, transformed). */
  phi: Map<string, Float64Array>;
  /** `RefinedFit.startedFrom` of the run. */
  label: string;
}

/**
 * The twin of a finished run, or null when the model has no absorption structure, a rate is not positive, or ka and
 * ke are so close that the twin is the same point (`branchesApart`).
 */
export function flipFlopStart(meta: ModelMeta, layout: Layout, pop: Population, refined: RefinedFit): BranchStart | null {
  const a = meta.absorption;
  if (!a) return null;
  const comp = layout.components.map((c) => (c.kind === "parameter" ? c.index : -1));
  const componentOf = (param: number) => comp.indexOf(param);
  const typical = meta.parameters.map((_, j) => {
    const ci = componentOf(j);
    return ci >= 0 ? toNatural(layout.components[ci]!.scale, pop.mu[ci]!) : Number.NaN;
  });
  const [ka, ke] = [typical[a.ka]!, typical[a.ke]!];
  const scale = a.inflow ?? a.volume?.param;
  if (!branchesApart(ka, ke) || (scale !== undefined && !(typical[scale]! > 0))) return null;
  const twin = flipFlopTwin(a, typical, "natural");
  const toPhi = (ci: number, natural: number) => {
    const c = layout.components[ci]!;
    return c.scale === "logNormal" && !(natural > 0) ? Number.NaN : toTransformed(c.scale, natural);
  };
  const mu = Float64Array.from(pop.mu);
  layout.components.forEach((c, ci) => c.kind === "parameter" && (mu[ci] = toPhi(ci, twin[c.index]!)));
  if (!mu.every(Number.isFinite)) return null;
  // Covariate effects on the rates belong to the other rate on the twin: they start at 0 there (the reference
  // subject's twin is exact); those on the volume stay.
  const rates = new Set([componentOf(a.ka), componentOf(a.ke)]);
  const beta = Float64Array.from(pop.beta, (b, k) => (rates.has(layout.effects[k]!.component) ? 0 : b));
  const nR = layout.random.length;
  const omega = Float64Array.from({ length: nR }, (_, r) => Math.sqrt(pop.omega[r * nR + r]!));
  const [rKa, rKe] = [layout.randomOf[componentOf(a.ka)]!, layout.randomOf[componentOf(a.ke)]!];
  if (rKa >= 0 && rKe >= 0) [omega[rKa], omega[rKe]] = [omega[rKe]!, omega[rKa]!];
  // A random effect that collapsed on the first branch would leave the chains unable to explore the second.
  layout.random.forEach((ci, r) => {
    const floor = layout.components[ci]!.scale === "normal" ? Math.max(OMEGA_START_MIN * Math.abs(mu[ci]!), 1e-3) : OMEGA_START_MIN;
    omega[r] = Math.max(omega[r]!, floor);
  });
  const phi = new Map<string, Float64Array>();
  for (const [id, row] of Object.entries(refined.individual)) {
    const own = meta.parameters.map((p, j) => row.mean[p.name] ?? typical[j]!);
    const twinOwn = flipFlopTwin(a, own, "natural");
    phi.set(
      id,
      Float64Array.from(layout.random, (ci) => {
        const c = layout.components[ci]!;
        const v = c.kind === "parameter" ? toPhi(ci, twinOwn[c.index]!) : toPhi(ci, row.mean[c.name] ?? Number.NaN);
        return Number.isFinite(v) ? v : mu[ci]!;
      }),
    );
  }
  const residual: ResidualParams = { kind: [...pop.residual.kind], a: Float64Array.from(pop.residual.a), b: Float64Array.from(pop.residual.b) };
  const name = (j: number) => meta.parameters[j]!.name;
  return {
    start: { mu, beta, omega },
    residual,
    phi,
    label: `flip-flop twin of the first run's estimate (${name(a.ka)} ${fmt(ka)} and ${name(a.ke)} ${fmt(ke)} swapped, the ${branchOf(ke, ka)} branch)`,
  };
}

function fmt(x: number): string {
  return x.toPrecision(3);
}
