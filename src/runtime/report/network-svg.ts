// The selected network of a dictionary model as a plain SVG: one node per
// state on a circle, one arrow per selected term from each state it contains
// to the state whose equation it enters. Self terms (decay, auto-regulation)
// and constant terms draw no edge: the picture is about who regulates whom.
import type { FitResult } from "../fit-result.js";
import { equationState } from "../export/plan.js";
import { coord, escapeHtml, formatNumber } from "./format.js";

export interface NetworkEdge {
  from: number;
  to: number;
  term: string;
  estimate: number;
  /** The term is a product of several states (dashed). */
  product: boolean;
  /** Selection probability of the term (1 when not measured). */
  stability: number;
}

export interface NetworkSvgOptions {
  size?: number;
  /** The threshold the selection applied to the stabilities, shown in each arrow's title. */
  stabilityThreshold?: number;
  /** What the stability is (e.g. "of 50 half-samples of subjects"), for the titles. */
  stabilityOf?: string;
}

export const POSITIVE = "#1b7837";
export const NEGATIVE = "#b2182b";

/** Edges between different states implied by the selected terms; terms naming unknown states are skipped. */
export function networkEdges(stateNames: string[], terms: NonNullable<FitResult["terms"]>): NetworkEdge[] {
  const index = new Map(stateNames.map((s, i) => [s, i]));
  const edges: NetworkEdge[] = [];
  for (const t of terms) {
    const to = index.get(equationState(t.equation));
    if (to === undefined || t.term.trim() === "1") continue;
    const factors = t.term.split("*").map((f) => f.trim().replace(/\^\d+$/, ""));
    const sources = [...new Set(factors.map((f) => index.get(f)))];
    if (sources.some((s) => s === undefined)) continue;
    for (const from of sources as number[]) {
      if (from === to) continue;
      edges.push({ from, to, term: t.term, estimate: t.estimate, product: new Set(factors).size > 1, stability: t.stability });
    }
  }
  return edges;
}

/**
 * The network drawing; `data-edges` on the root says how many arrows it
 * holds. An arrow's opacity is its term's selection probability, so an
 * unstable term fades; its title gives the figure and the threshold.
 */
export function networkSvg(stateNames: string[], terms: NonNullable<FitResult["terms"]>, options: NetworkSvgOptions = {}): string {
  const size = options.size ?? 560;
  const edges = networkEdges(stateNames, terms);
  const n = stateNames.length;
  const c = size / 2;
  const nodeR = Math.max(11, Math.min(18, 220 / Math.max(n, 1)));
  const ring = c - nodeR - 28;
  const pos = stateNames.map((_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    return [c + ring * Math.cos(a), c + ring * Math.sin(a)] as const;
  });
  const maxAbs = Math.max(1e-300, ...edges.map((e) => Math.abs(e.estimate)));

  const paths = edges.map((e) => {
    const [x1, y1] = pos[e.from]!;
    const [x2, y2] = pos[e.to]!;
    // Bend every edge to its left so that A->B and B->A stay apart; stop at the node rims.
    const dx = x2 - x1;
    const dy = y2 - y1;
    const len = Math.hypot(dx, dy) || 1;
    const bend = 0.15 * len;
    const mx = (x1 + x2) / 2 - (dy / len) * bend;
    const my = (y1 + y2) / 2 + (dx / len) * bend;
    const [sx, sy] = towards(x1, y1, mx, my, nodeR + 1);
    const [ex, ey] = towards(x2, y2, mx, my, nodeR + 4);
    const color = e.estimate >= 0 ? POSITIVE : NEGATIVE;
    const w = 0.8 + 2.7 * Math.sqrt(Math.abs(e.estimate) / maxAbs);
    const stable = Math.min(1, Math.max(0, e.stability));
    const title =
      `${stateNames[e.from]} → d${stateNames[e.to]}/dt: ${e.term} (${formatNumber(e.estimate)})` +
      (stable < 1 || options.stabilityThreshold !== undefined
        ? `; selected in ${Math.round(100 * stable)}%${options.stabilityOf ? ` ${options.stabilityOf}` : ""}` +
          (options.stabilityThreshold !== undefined ? ` (threshold ${Math.round(100 * options.stabilityThreshold)}%)` : "")
        : "");
    return (
      `<path class="edge" d="M${coord(sx)} ${coord(sy)}Q${coord(mx)} ${coord(my)} ${coord(ex)} ${coord(ey)}" data-stability="${coord(stable)}" ` +
      `stroke="${color}" stroke-width="${coord(w)}" fill="none" stroke-opacity="${coord(0.2 + 0.7 * stable)}"${e.product ? ' stroke-dasharray="5 3"' : ""} ` +
      `marker-end="url(#arrow-${e.estimate >= 0 ? "pos" : "neg"})"><title>${escapeHtml(title)}</title></path>`
    );
  });
  const nodes = stateNames.map((name, i) => {
    const [x, y] = pos[i]!;
    return (
      `<g class="node"><circle cx="${coord(x)}" cy="${coord(y)}" r="${coord(nodeR)}" fill="#f4f4f4" stroke="#555"/>` +
      `<text x="${coord(x)}" y="${coord(y)}" dy="0.35em" text-anchor="middle" font-size="${nodeR > 13 ? 11 : 10}">${escapeHtml(name)}</text></g>`
    );
  });
  const marker = (id: string, color: string) =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="8" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${color}"/></marker>`;
  return (
    `<svg class="network" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="selected network" ` +
    `data-edges="${edges.length}" data-marks="${edges.length + n}" font-family="system-ui, sans-serif">` +
    `<defs>${marker("arrow-pos", POSITIVE)}${marker("arrow-neg", NEGATIVE)}</defs>` +
    `<g class="edges">${paths.join("")}</g><g class="nodes">${nodes.join("")}</g></svg>`
  );
}

function towards(x: number, y: number, tx: number, ty: number, dist: number): [number, number] {
  const dx = tx - x;
  const dy = ty - y;
  const len = Math.hypot(dx, dy) || 1;
  return [x + (dx / len) * dist, y + (dy / len) * dist];
}
