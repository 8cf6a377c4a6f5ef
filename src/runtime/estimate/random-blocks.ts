// Random-effect block structure handed to the mixed model: from the model's
// declared covariance blocks, and for the latent-state estimator from the
// product coefficients its elimination creates.
import type { CompiledModel } from "../model.js";
import type { RandomBlock } from "../population/mixed-model.js";
import type { LatentRegressionCoefficient } from "../rows/latent-design.js";

/** Random-effect blocks from `meta.covariance`; random parameters in no block get their own diagonal entry. */
export function randomBlocks(model: CompiledModel, randomParams: number[]): RandomBlock[] {
  const blocks: RandomBlock[] = [];
  const seen = new Set<number>();
  for (const c of model.meta.covariance) {
    const params = c.params.filter((j) => randomParams.includes(j) && !seen.has(j));
    if (params.length === 0) continue;
    params.forEach((j) => seen.add(j));
    if (c.structure === "full") blocks.push({ params, full: true });
    else for (const j of params) blocks.push({ params: [j], full: false });
  }
  for (const j of randomParams) if (!seen.has(j)) blocks.push({ params: [j], full: false });
  // Keep the factor layout in declaration order within blocks.
  return blocks;
}

/**
 * Random-effect blocks of the coefficients: declared blocks of the model's
 * parameters carry over; a product coefficient (theta*fM2) joins the block of
 * its random factors as a full block (its effect is strongly correlated with
 * theta's by construction) unless `products` is "diagonal".
 */
export function coefficientBlocks(
  model: CompiledModel,
  kept: LatentRegressionCoefficient[],
  randomCoefs: number[],
  products: "full" | "diagonal",
): RandomBlock[] {
  const parent = new Map<number, number>(randomCoefs.map((c) => [c, c]));
  const full = new Set<number>();
  const find = (c: number): number => {
    let r = c;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const baseOf = (j: number): number => kept.findIndex((c) => c.factors.length === 1 && c.factors[0]!.kind === "param" && c.factors[0]!.param === j);
  const fullPairs: [number, number][] = [];
  for (const blk of model.meta.covariance) {
    if (blk.structure !== "full") continue;
    const idx = blk.params.map(baseOf).filter((i) => i >= 0 && parent.has(i));
    for (let i = 1; i < idx.length; i++) fullPairs.push([idx[0]!, idx[i]!]);
  }
  if (products === "full")
    kept.forEach((c, i) => {
      if (!parent.has(i) || c.factors.length < 2) return;
      for (const f of c.factors) {
        if (f.kind !== "param") continue;
        const b = baseOf(f.param);
        if (b >= 0 && parent.has(b)) fullPairs.push([b, i]);
      }
    });
  for (const [a, b] of fullPairs) union(a, b);
  for (const [a] of fullPairs) full.add(find(a));
  const groups = new Map<number, number[]>();
  for (const c of randomCoefs) {
    const r = find(c);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r)!.push(c);
  }
  return [...groups.entries()].map(([r, params]) => ({ params, full: full.has(r) && params.length > 1 }));
}
