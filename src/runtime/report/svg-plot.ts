// Tiny hand-written SVG plots for the HTML report: linear axes with "nice"
// ticks, lines (broken at non-finite values) and points, optional identity
// and reference lines, clipped to the plot area. No charting dependency: the
// report must open offline, from one file, years from now.
import { coord, escapeHtml, formatNumber } from "./format.js";

export interface LineMarks {
  kind: "line";
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  width?: number;
  dash?: string;
  label?: string;
}

export interface PointMarks {
  kind: "points";
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  radius?: number;
  opacity?: number;
  /** Non-zero where the point is drawn hollow (e.g. censored values). */
  hollow?: ArrayLike<number>;
  label?: string;
}

export type Marks = LineMarks | PointMarks;

export interface PlotSpec {
  width: number;
  height: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  marks: Marks[];
  /** Axis ranges; default: the extent of the finite data, padded. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Draw y = x and give both axes the same range (observed vs predicted). */
  identity?: boolean;
  /** Horizontal / vertical reference lines (zero residual, dose times). */
  hRules?: number[];
  vRules?: number[];
  /** Unique id in the document for the clip path; without it marks are not clipped. */
  clipId?: string;
  /** Draw a legend of labelled marks in the top right corner. */
  legend?: boolean;
  /** Target number of ticks per axis (default 5). */
  ticks?: number;
}

/** Round tick positions covering [lo, hi], about `target` of them (steps of 1, 2, 2.5 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const step = niceStep((hi - lo) / Math.max(1, target));
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  // Round to the step's own decimals (plus a guard digit) so that k * step prints cleanly.
  const decimals = Math.min(100, Math.max(0, 2 - Math.floor(Math.log10(step))));
  const out: number[] = [];
  for (let k = first; k <= last; k++) {
    const v = Number((k * step).toFixed(decimals));
    out.push(v === 0 ? 0 : v);
  }
  return out;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return m * p;
}

/** Labels for a set of ticks, with as many digits as the step needs and no more. */
export function tickLabels(ticks: number[]): string[] {
  if (ticks.length === 0) return [];
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : Math.abs(ticks[0]!) || 1;
  const big = Math.max(...ticks.map(Math.abs));
  const stepExp = Math.floor(Math.log10(step) + 1e-9);
  const extra = isQuarter(step) ? 1 : 0;
  if (big >= 1e5 || big < 1e-2) {
    const digits = Math.min(15, Math.max(1, Math.floor(Math.log10(big) + 1e-9) - stepExp + 1 + extra));
    return ticks.map((t) => formatNumber(t, digits));
  }
  const decimals = Math.max(0, Math.min(20, -stepExp + extra));
  return ticks.map((t) => (t === 0 ? "0" : t.toFixed(decimals)));
}

function isQuarter(step: number): boolean {
  const m = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  return Math.abs(m - 2.5) < 1e-6;
}

/** Smallest and largest finite value over all arrays; null when there is none. */
export function extent(...arrays: ArrayLike<number>[]): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return lo <= hi ? [lo, hi] : null;
}

/** Widen a range by `fraction` of its span on each side; a point gets a span of its own size (or 1). */
export function pad([lo, hi]: [number, number], fraction = 0.05): [number, number] {
  if (hi === lo) {
    const h = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - h, hi + h];
  }
  const h = (hi - lo) * fraction;
  return [lo - h, hi + h];
}

const FONT = 11;
const CHAR = 6.3; // average glyph width at FONT px, for margin sizing

/** One plot as an `<svg>` element (inline in HTML: no xmlns needed). */
export function plotSvg(spec: PlotSpec): string {
  const { width, height } = spec;
  const target = spec.ticks ?? 5;
  const xs = spec.marks.map((m) => m.x);
  const ys = spec.marks.map((m) => m.y);
  let xd = spec.xDomain ?? pad(extent(...xs, ...(spec.vRules ? [spec.vRules] : [])) ?? [0, 1], 0.03);
  let yd = spec.yDomain ?? pad(extent(...ys, ...(spec.hRules ? [spec.hRules] : [])) ?? [0, 1], 0.06);
  if (spec.identity) {
    const both = extent(xd, yd)!;
    xd = yd = spec.xDomain ?? spec.yDomain ?? both;
  }
  if (!(xd[1] > xd[0])) xd = pad([xd[0], xd[0]]);
  if (!(yd[1] > yd[0])) yd = pad([yd[0], yd[0]]);

  const xTicks = niceTicks(xd[0], xd[1], target);
  const yTicks = niceTicks(yd[0], yd[1], Math.max(4, Math.round((target * height) / width)));
  const xLab = tickLabels(xTicks);
  const yLab = tickLabels(yTicks);
  const yLabelWidth = Math.max(2, ...yLab.map((s) => s.length)) * CHAR;
  const left = 8 + yLabelWidth + (spec.yLabel ? FONT + 6 : 0);
  const right = 10;
  const top = spec.title ? FONT + 14 : 8;
  const bottom = 20 + (spec.xLabel ? FONT + 6 : 0);
  const pw = Math.max(10, width - left - right);
  const ph = Math.max(10, height - top - bottom);
  const sx = (v: number) => left + ((v - xd[0]) / (xd[1] - xd[0])) * pw;
  const sy = (v: number) => top + ph - ((v - yd[0]) / (yd[1] - yd[0])) * ph;

  const parts: string[] = [];
  let drawn = 0;
  // Grid and ticks.
  const grid: string[] = [];
  const labels: string[] = [];
  xTicks.forEach((t, i) => {
    const x = coord(sx(t));
    grid.push(`M${x} ${coord(top)}V${coord(top + ph)}`);
    labels.push(`<text x="${x}" y="${coord(top + ph + 14)}" text-anchor="middle">${escapeHtml(xLab[i]!)}</text>`);
  });
  yTicks.forEach((t, i) => {
    const y = coord(sy(t));
    grid.push(`M${coord(left)} ${y}H${coord(left + pw)}`);
    labels.push(`<text x="${coord(left - 5)}" y="${y}" dy="0.35em" text-anchor="end">${escapeHtml(yLab[i]!)}</text>`);
  });
  parts.push(`<path class="grid" d="${grid.join("")}" stroke="#e4e4e4" stroke-width="1" fill="none"/>`);
  parts.push(
    `<path class="axes" d="M${coord(left)} ${coord(top)}V${coord(top + ph)}H${coord(left + pw)}" stroke="#888" stroke-width="1" fill="none"/>`,
  );
  parts.push(`<g class="tick-labels" font-size="${FONT}" fill="#555">${labels.join("")}</g>`);
  if (spec.title)
    parts.push(
      `<text class="title" x="${coord(left)}" y="${FONT + 3}" font-size="${FONT + 1}" font-weight="600" fill="#222">${escapeHtml(spec.title)}</text>`,
    );
  if (spec.xLabel)
    parts.push(
      `<text class="x-label" x="${coord(left + pw / 2)}" y="${coord(height - 4)}" font-size="${FONT}" text-anchor="middle" fill="#333">${escapeHtml(spec.xLabel)}</text>`,
    );
  if (spec.yLabel) {
    const cx = FONT;
    const cy = top + ph / 2;
    parts.push(
      `<text class="y-label" x="${coord(cx)}" y="${coord(cy)}" font-size="${FONT}" text-anchor="middle" fill="#333" transform="rotate(-90 ${coord(cx)} ${coord(cy)})">${escapeHtml(spec.yLabel)}</text>`,
    );
  }

  // Marks, clipped to the plot area.
  const clip = spec.clipId ? ` clip-path="url(#${escapeHtml(spec.clipId)})"` : "";
  const body: string[] = [];
  if (spec.clipId)
    body.push(
      `<clipPath id="${escapeHtml(spec.clipId)}"><rect x="${coord(left)}" y="${coord(top)}" width="${coord(pw)}" height="${coord(ph)}"/></clipPath>`,
    );
  const rules: string[] = [];
  for (const v of spec.vRules ?? [])
    if (v >= xd[0] && v <= xd[1]) rules.push(`M${coord(sx(v))} ${coord(top)}V${coord(top + ph)}`);
  for (const v of spec.hRules ?? [])
    if (v >= yd[0] && v <= yd[1]) rules.push(`M${coord(left)} ${coord(sy(v))}H${coord(left + pw)}`);
  if (rules.length > 0)
    body.push(`<path class="rules" d="${rules.join("")}" stroke="#999" stroke-width="1" stroke-dasharray="3 3" fill="none"/>`);
  if (spec.identity)
    body.push(
      `<path class="identity" d="M${coord(sx(xd[0]))} ${coord(sy(xd[0]))}L${coord(sx(xd[1]))} ${coord(sy(xd[1]))}" stroke="#999" stroke-width="1" fill="none"/>`,
    );
  for (const m of spec.marks) {
    const n = Math.min(m.x.length, m.y.length);
    if (m.kind === "line") {
      let d = "";
      let pen = false;
      for (let i = 0; i < n; i++) {
        const x = m.x[i]!;
        const y = m.y[i]!;
        if (!Number.isFinite(x) || !Number.isFinite(y)) {
          pen = false;
          continue;
        }
        d += `${pen ? "L" : "M"}${coord(sx(x))} ${coord(sy(clampFar(y, yd)))}`;
        pen = true;
        drawn++;
      }
      if (d)
        body.push(
          `<path class="line" d="${d}" stroke="${escapeHtml(m.color)}" stroke-width="${m.width ?? 1.6}"${m.dash ? ` stroke-dasharray="${escapeHtml(m.dash)}"` : ""} fill="none" stroke-linejoin="round"/>`,
        );
    } else {
      const r = m.radius ?? 2.6;
      const circles: string[] = [];
      for (let i = 0; i < n; i++) {
        const x = m.x[i]!;
        const y = m.y[i]!;
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const hollow = m.hollow !== undefined && m.hollow[i] !== 0;
        circles.push(
          `<circle cx="${coord(sx(x))}" cy="${coord(sy(clampFar(y, yd)))}" r="${r}"${hollow ? ` fill="#fff" stroke="${escapeHtml(m.color)}"` : ""}/>`,
        );
        drawn++;
      }
      if (circles.length > 0)
        body.push(
          `<g class="points" fill="${escapeHtml(m.color)}"${m.opacity !== undefined ? ` fill-opacity="${m.opacity}"` : ""}>${circles.join("")}</g>`,
        );
    }
  }
  parts.push(`<g class="marks"${clip}>${body.join("")}</g>`);
  if (spec.legend) parts.push(legend(spec.marks, left + pw, top));

  const aria = spec.title ?? "plot";
  return (
    `<svg class="plot" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(aria)}" data-marks="${drawn}" font-family="system-ui, sans-serif">` +
    parts.join("") +
    `</svg>`
  );
}

/** Keeps far-off values (an exploding simulation) at a finite distance so that path coordinates stay sane. */
function clampFar(y: number, [lo, hi]: [number, number]): number {
  const span = hi - lo;
  return Math.min(hi + 10 * span, Math.max(lo - 10 * span, y));
}

function legend(marks: Marks[], rightEdge: number, top: number): string {
  const items = marks.filter((m) => m.label);
  if (items.length === 0) return "";
  const w = 16 + Math.max(...items.map((m) => m.label!.length)) * CHAR + 8;
  const x0 = rightEdge - w - 4;
  const rows = items.map((m, i) => {
    const y = top + 10 + i * 15;
    const sample =
      m.kind === "line"
        ? `<path d="M${coord(x0 + 4)} ${coord(y)}h12" stroke="${escapeHtml(m.color)}" stroke-width="2"${m.dash ? ` stroke-dasharray="${escapeHtml(m.dash)}"` : ""}/>`
        : `<circle cx="${coord(x0 + 10)}" cy="${coord(y)}" r="3" fill="${escapeHtml(m.color)}"/>`;
    return `${sample}<text x="${coord(x0 + 20)}" y="${coord(y)}" dy="0.35em">${escapeHtml(m.label!)}</text>`;
  });
  return `<g class="legend" font-size="${FONT}" fill="#333"><rect x="${coord(x0)}" y="${coord(top + 2)}" width="${coord(w)}" height="${items.length * 15 + 2}" fill="#fff" fill-opacity="0.85"/>${rows.join("")}</g>`;
}
