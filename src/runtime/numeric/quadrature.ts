// Gauss-Legendre quadrature: n nodes integrate polynomials of degree 2n - 1
// exactly, which is what makes weak-form integrals on piecewise-polynomial
// curves accurate with few function evaluations.

export interface GaussRule {
  /** Nodes on [-1, 1], ascending. */
  nodes: Float64Array;
  weights: Float64Array;
}

const cache = new Map<number, GaussRule>();

/** The n-point Gauss-Legendre rule on [-1, 1] (cached: rules are immutable). */
export function gaussLegendre(n: number): GaussRule {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Gauss-Legendre needs n >= 1 nodes, got ${n}`);
  const hit = cache.get(n);
  if (hit) return hit;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    // Newton on P_n from the Tricomi initial guess; converges in a few steps.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pnm1 = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pnm1)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}

/**
 * A composite rule on [a, b]: `panels` equal panels with `perPanel` nodes each.
 * Writes nodes and weights into the given buffers (length panels * perPanel).
 */
export function compositeRule(
  a: number,
  b: number,
  panels: number,
  perPanel: number,
  nodesOut: Float64Array,
  weightsOut: Float64Array,
): void {
  const rule = gaussLegendre(perPanel);
  const h = (b - a) / panels;
  for (let k = 0; k < panels; k++) {
    const mid = a + (k + 0.5) * h;
    for (let j = 0; j < perPanel; j++) {
      nodesOut[k * perPanel + j] = mid + 0.5 * h * rule.nodes[j]!;
      weightsOut[k * perPanel + j] = 0.5 * h * rule.weights[j]!;
    }
  }
}
