// Compactly supported test functions for the weak form, after WENDy's
// multi-scale construction: bumps phi(t) = C (1 - ((t - c)/h)^2)^p of several
// half-widths h = L/2, L/4, ... on one between-jump interval of length L, with
// centres every h/2 (neighbours overlap), down to the smallest width the
// sampling can resolve. All supports start and end on a dyadic panel grid, so
// one composite Gauss-Legendre rule on that grid integrates every bump without
// a kink inside a panel, and the curves are evaluated once per interval.
import { compositeRule, gaussLegendre } from "../numeric/quadrature.js";

export interface TestFunctionOptions {
  /** Exponent p of (1 - x^2)^p (default 4: phi is C^3 at the ends of its support). */
  degree?: number;
  /** Smallest support width, in median sampling intervals (default 3). */
  minWidthSpacings?: number;
  /** Largest number of scales (default 5). */
  maxLevels?: number;
  /** Gauss-Legendre nodes per panel (default 8). */
  nodesPerPanel?: number;
  /**
   * Normalisation: "derivative" makes ||phi'||_2 = 1 so that the smoothing
   * noise reaching each row through -integral(phi' z) has similar size across
   * scales; "l2" makes ||phi||_2 = 1 (WENDy's choice).
   */
  normalise?: "derivative" | "l2";
}

export interface TestFunction {
  center: number;
  halfWidth: number;
  /** First quadrature node inside the support, and how many. */
  firstNode: number;
  nodeCount: number;
  /** Offset of this function's values in `phi` / `dphi`. */
  offset: number;
}

export interface TestFunctionSet {
  t0: number;
  t1: number;
  /** Quadrature nodes and weights on [t0, t1]. */
  nodes: Float64Array;
  weights: Float64Array;
  functions: TestFunction[];
  /** phi and phi' at the nodes of each function's support, concatenated. */
  phi: Float64Array;
  dphi: Float64Array;
  levels: number;
}

/** The last times `medianSpacing` was asked about, and its answer: a subject's outputs and its test functions' span mostly share their sampling times, and so do subjects. */
let lastTimes = new Float64Array(0);
let lastSpacing = Number.NaN;

/** Median gap between consecutive distinct times (sorted input). */
export function medianSpacing(times: ArrayLike<number>): number {
  if (times.length === lastTimes.length) {
    let same = true;
    for (let i = 0; i < times.length && same; i++) same = times[i] === lastTimes[i];
    if (same) return lastSpacing;
  }
  const spacing = sortedMedianSpacing(times);
  lastTimes = Float64Array.from(times);
  lastSpacing = spacing;
  return spacing;
}

function sortedMedianSpacing(times: ArrayLike<number>): number {
  // A typed array sorts numerically without a comparator call per pair.
  const all = new Float64Array(Math.max(0, times.length - 1));
  let count = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0) all[count++] = d;
  }
  if (count === 0) return Number.NaN;
  const gaps = all.subarray(0, count).sort();
  return gaps[Math.floor(count / 2)]!;
}

/**
 * How many scales fit an interval of length `length` sampled every `spacing`:
 * the level-j bumps have support width length / 2^(j-1), kept while that is
 * at least `minWidthSpacings` sampling intervals. 0 when even one bump over
 * the whole interval would be too narrow for the sampling.
 */
export function levelsFor(length: number, spacing: number, options: TestFunctionOptions = {}): number {
  const minWidth = (options.minWidthSpacings ?? 3) * spacing;
  const maxLevels = options.maxLevels ?? 5;
  let levels = 0;
  while (levels < maxLevels && length / 2 ** levels >= minWidth) levels++;
  return levels;
}

/** Unit-scale integral of (1 - x^2)^(2p) (l2) or 4 p^2 x^2 (1 - x^2)^(2p - 2) (derivative) on [-1, 1]. */
function unitNorm2(p: number, kind: "derivative" | "l2"): number {
  const rule = gaussLegendre(4 * p + 4);
  let acc = 0;
  for (let i = 0; i < rule.nodes.length; i++) {
    const x = rule.nodes[i]!;
    const base = 1 - x * x;
    acc += rule.weights[i]! * (kind === "l2" ? base ** (2 * p) : 4 * p * p * x * x * base ** (2 * p - 2));
  }
  return acc;
}

const templates = new Map<string, TestFunctionSet>();

/**
 * The set on [0, 1] for given levels and options, cached: every interval is an
 * affine image of it, so per subject only a rescaling is needed.
 */
function template(levels: number, p: number, perPanel: number, normalise: "derivative" | "l2"): TestFunctionSet {
  const key = `${levels}/${p}/${perPanel}/${normalise}`;
  const hit = templates.get(key);
  if (hit) return hit;
  const panels = Math.max(16, 2 ** (levels + 1));
  const nNodes = panels * perPanel;
  const nodes = new Float64Array(nNodes);
  const weights = new Float64Array(nNodes);
  compositeRule(0, 1, panels, perPanel, nodes, weights);
  const panelWidth = 1 / panels;
  const unit = unitNorm2(p, normalise);
  const functions: TestFunction[] = [];
  let total = 0;
  for (let j = 1; j <= levels; j++) {
    const h = 1 / 2 ** j;
    const count = 2 ** (j + 1) - 3;
    for (let k = 0; k < count; k++) {
      const center = h + (k * h) / 2;
      const firstPanel = Math.round((center - h) / panelWidth);
      const lastPanel = Math.round((center + h) / panelWidth);
      const firstNode = firstPanel * perPanel;
      const nodeCount = (lastPanel - firstPanel) * perPanel;
      functions.push({ center, halfWidth: h, firstNode, nodeCount, offset: total });
      total += nodeCount;
    }
  }
  const phi = new Float64Array(total);
  const dphi = new Float64Array(total);
  for (const f of functions) {
    const h = f.halfWidth;
    // ||phi||^2 = C^2 h unit (l2);  ||phi'||^2 = C^2 unit / h (derivative).
    const c = normalise === "l2" ? 1 / Math.sqrt(h * unit) : Math.sqrt(h / unit);
    for (let i = 0; i < f.nodeCount; i++) {
      const x = (nodes[f.firstNode + i]! - f.center) / h;
      const base = 1 - x * x;
      if (base <= 0) continue;
      const bp1 = base ** (p - 1);
      phi[f.offset + i] = c * bp1 * base;
      dphi[f.offset + i] = (c * p * bp1 * -2 * x) / h;
    }
  }
  const set = { t0: 0, t1: 1, nodes, weights, functions, phi, dphi, levels };
  templates.set(key, set);
  return set;
}

/** The template on [0, 1] for these options, and how it maps onto [t0, t1]. */
function scaledTemplate(t0: number, t1: number, levels: number, options: TestFunctionOptions) {
  if (!(t1 > t0) || levels < 1) throw new RangeError("test functions need a non-empty interval and at least one level");
  const normalise = options.normalise ?? "derivative";
  const tpl = template(levels, options.degree ?? 4, options.nodesPerPanel ?? 8, normalise);
  const length = t1 - t0;
  // Under t = t0 + L u: phi scales by sqrt(L) ("derivative") or 1/sqrt(L) ("l2"), phi' by a further 1/L.
  const phiScale = normalise === "l2" ? 1 / Math.sqrt(length) : Math.sqrt(length);
  return { tpl, length, phiScale, dphiScale: phiScale / length };
}

export function buildTestFunctions(
  t0: number,
  t1: number,
  levels: number,
  options: TestFunctionOptions = {},
): TestFunctionSet {
  const { tpl, length, phiScale, dphiScale } = scaledTemplate(t0, t1, levels, options);
  const nodes = new Float64Array(tpl.nodes.length);
  const weights = new Float64Array(tpl.nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    nodes[i] = t0 + length * tpl.nodes[i]!;
    weights[i] = length * tpl.weights[i]!;
  }
  const phi = new Float64Array(tpl.phi.length);
  const dphi = new Float64Array(tpl.phi.length);
  for (let i = 0; i < phi.length; i++) {
    phi[i] = phiScale * tpl.phi[i]!;
    dphi[i] = dphiScale * tpl.dphi[i]!;
  }
  const functions = tpl.functions.map((f) => ({ ...f, center: t0 + length * f.center, halfWidth: length * f.halfWidth }));
  return { t0, t1, nodes, weights, functions, phi, dphi, levels };
}

/**
 * What the weak-form rows read of `buildTestFunctions(t0, t1, levels, options)`, written into the caller's arrays
 * without building the set: its nodes, and w phi and w phi' at each function's nodes (quadrature weight times the
 * function, the same products of the same numbers as from the set), with the functions' node ranges (`firstNode`,
 * `nodeCount`, `offset`; their centres and widths are the template's, on [0, 1]). For a subject whose interval no
 * other subject shares, where a set built and kept would serve once. The arrays must hold `testFunctionSize`.
 */
export function weightedTestFunctionsInto(
  t0: number,
  t1: number,
  levels: number,
  options: TestFunctionOptions,
  out: { nodes: Float64Array; wphi: Float64Array; wdphi: Float64Array },
): TestFunction[] {
  const { tpl, length, phiScale, dphiScale } = scaledTemplate(t0, t1, levels, options);
  for (let i = 0; i < tpl.nodes.length; i++) out.nodes[i] = t0 + length * tpl.nodes[i]!;
  for (const f of tpl.functions)
    for (let i = 0; i < f.nodeCount; i++) {
      const w = length * tpl.weights[f.firstNode + i]!;
      out.wphi[f.offset + i] = w * (phiScale * tpl.phi[f.offset + i]!);
      out.wdphi[f.offset + i] = w * (dphiScale * tpl.dphi[f.offset + i]!);
    }
  return tpl.functions;
}

/** The nodes and the function values (`phi.length`) of the set `buildTestFunctions` gives for these levels and options. */
export function testFunctionSize(levels: number, options: TestFunctionOptions = {}): { nodes: number; values: number } {
  const tpl = template(levels, options.degree ?? 4, options.nodesPerPanel ?? 8, options.normalise ?? "derivative");
  return { nodes: tpl.nodes.length, values: tpl.phi.length };
}

/**
 * The same multi-scale bumps on [t0, t1], with the quadrature panels also cut
 * at `breaks` (e.g. doses where a latent state, hence the integrand
 * phi * Theta, jumps while the bump itself may cross it): Gauss-Legendre then
 * never integrates across a discontinuity. Not cached (breaks differ per subject).
 */
export function buildTestFunctionsWithBreaks(
  t0: number,
  t1: number,
  levels: number,
  breaks: number[],
  options: TestFunctionOptions = {},
): TestFunctionSet {
  const inner = breaks.filter((b) => b > t0 && b < t1);
  if (inner.length === 0) return buildTestFunctions(t0, t1, levels, options);
  if (!(t1 > t0) || levels < 1) throw new RangeError("test functions need a non-empty interval and at least one level");
  const p = options.degree ?? 4;
  const perPanel = options.nodesPerPanel ?? 8;
  const normalise = options.normalise ?? "derivative";
  const length = t1 - t0;
  const panels = Math.max(16, 2 ** (levels + 1));
  const dyadic = Array.from({ length: panels + 1 }, (_, k) => t0 + (length * k) / panels);
  const minGap = (length / panels) * 1e-9;
  const edges = [...dyadic, ...inner.filter((b) => dyadic.every((e) => Math.abs(e - b) > minGap))].sort((a, b) => a - b);
  const nPanels = edges.length - 1;
  const rule = gaussLegendre(perPanel);
  const nodes = new Float64Array(nPanels * perPanel);
  const weights = new Float64Array(nPanels * perPanel);
  for (let k = 0; k < nPanels; k++) {
    const a = edges[k]!;
    const h = edges[k + 1]! - a;
    for (let j = 0; j < perPanel; j++) {
      nodes[k * perPanel + j] = a + 0.5 * h * (1 + rule.nodes[j]!);
      weights[k * perPanel + j] = 0.5 * h * rule.weights[j]!;
    }
  }
  // Index of the edge at a dyadic position.
  const edgeAt = (t: number): number => {
    let best = 0;
    for (let k = 1; k < edges.length; k++) if (Math.abs(edges[k]! - t) < Math.abs(edges[best]! - t)) best = k;
    return best;
  };
  const unit = unitNorm2(p, normalise);
  const functions: TestFunction[] = [];
  let total = 0;
  for (let j = 1; j <= levels; j++) {
    const h = length / 2 ** j;
    const count = 2 ** (j + 1) - 3;
    for (let k = 0; k < count; k++) {
      const center = t0 + h + (k * h) / 2;
      const firstPanel = edgeAt(center - h);
      const lastPanel = edgeAt(center + h);
      functions.push({ center, halfWidth: h, firstNode: firstPanel * perPanel, nodeCount: (lastPanel - firstPanel) * perPanel, offset: total });
      total += (lastPanel - firstPanel) * perPanel;
    }
  }
  const phi = new Float64Array(total);
  const dphi = new Float64Array(total);
  for (const f of functions) {
    const h = f.halfWidth;
    const c = normalise === "l2" ? 1 / Math.sqrt(h * unit) : Math.sqrt(h / unit);
    for (let i = 0; i < f.nodeCount; i++) {
      const x = (nodes[f.firstNode + i]! - f.center) / h;
      const base = 1 - x * x;
      if (base <= 0) continue;
      const bp1 = base ** (p - 1);
      phi[f.offset + i] = c * bp1 * base;
      dphi[f.offset + i] = (c * p * bp1 * -2 * x) / h;
    }
  }
  return { t0, t1, nodes, weights, functions, phi, dphi, levels };
}
