// `renderReport`: one self-contained HTML file for a finished fit (inline CSS,
// inline SVG, no scripts, no fonts or images to fetch), so it opens offline
// and can be mailed around. Sections: header, estimates, selected network
// (dictionary models), individual fits, observed vs predicted, weak-form
// residuals, notes. Every string from the spec or the data is escaped.
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel, ModelMeta } from "../model.js";
import { computeDiagnostics, type DiagnosticsOptions, type ReportDiagnostics, type SubjectView } from "./diagnostics.js";
import { escapeHtml as esc, formatNumber as num, formatPercent } from "./format.js";
import { networkSvg } from "./network-svg.js";
import { refinedSection } from "./refined-section.js";
import { refinedAsFirstGuess } from "../refine/as-first-guess.js";
import { extent, pad, plotSvg, type Marks } from "./svg-plot.js";

export interface ReportOptions {
  /** Shown in the header; default: now. Tests pass a fixed value. */
  generatedAt?: Date | string;
  /** Path of the spec, shown in the header. */
  specPath?: string;
  /** Subjects in the individual-fits grid (default 30). */
  maxSubjects?: number;
  /** Outputs (and states) with their own panels (default 8). */
  maxOutputs?: number;
  diagnostics?: DiagnosticsOptions;
}

export const COLORS = { data: "#333333", smooth: "#e08214", prediction: "#2166ac", scatter: "#2166ac" } as const;

export function renderReport(model: CompiledModel, data: Dataset, fit: FitResult, options: ReportOptions = {}): string {
  const meta = model.meta;
  const maxSubjects = Math.max(1, options.maxSubjects ?? 30);
  const maxOutputs = Math.max(1, options.maxOutputs ?? 8);
  // A refined fit draws its individual predictions from SAEM's conditional modes.
  const diag = computeDiagnostics(model, data, fit.refined ? refinedAsFirstGuess(fit).fit : fit, { simulateSubjects: maxSubjects, ...options.diagnostics });
  const ids = new IdSource();
  const capNotes: string[] = [];
  if (data.subjects.length > maxSubjects)
    capNotes.push(`Individual fits show the first ${maxSubjects} of ${data.subjects.length} subjects; the other plots use all of them.`);
  if (meta.observations.length > maxOutputs)
    capNotes.push(`Panels are drawn for the first ${maxOutputs} of ${meta.observations.length} outputs.`);

  const sections = [
    section("estimates", "Estimates", estimatesSection(meta, fit)),
    fit.terms ? section("network", "Selected network", networkSection(meta, fit)) : "",
    fit.refined ? section("refined", "SAEM refinement", refinedSection(fit.refined, () => ids.next("clip"))) : "",
    section("individual", "Individual fits", individualSection(meta, diag, maxSubjects, maxOutputs, ids)),
    section("obs-pred", "Observed vs predicted", obsPredSection(meta, diag, maxOutputs, ids)),
    section("residuals", "Weak-form residuals", residualSection(meta, diag, maxOutputs, ids)),
    section("notes", "Notes", notesSection(fit, [...capNotes, ...diag.notes])),
  ].filter((s) => s !== "");
  const nav = [
    ["estimates", "Estimates"],
    ...(fit.terms ? [["network", "Network"]] : []),
    ...(fit.refined ? [["refined", "SAEM"]] : []),
    ["individual", "Individual fits"],
    ["obs-pred", "Observed vs predicted"],
    ["residuals", "Residuals"],
    ["notes", "Notes"],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join("");

  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`${meta.name}: fit report`)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    header(meta, data, fit, options),
    `<nav>${nav}</nav>`,
    "<main>",
    ...sections,
    "</main>",
    `<footer>weakform-nlme · weak-form estimates: no ODE was solved to fit; the individual predictions are simulated for this report only.</footer>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Unique ids for clip paths within one document. */
class IdSource {
  private n = 0;
  next(prefix: string): string {
    return `${prefix}-${++this.n}`;
  }
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function header(meta: ModelMeta, data: Dataset, fit: FitResult, options: ReportOptions): string {
  const when = options.generatedAt ?? new Date();
  const generated = typeof when === "string" ? when : when.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const nObs = data.subjects.reduce((s, x) => s + x.series.reduce((a, y) => a + y.times.length, 0), 0);
  const rows: [string, string][] = [
    ["model", meta.name],
    ...(options.specPath ? [["spec", options.specPath] as [string, string]] : []),
    ["data", data.file],
    ["subjects", `${data.subjects.filter((x) => fit.individual[x.id]).length} fitted of ${data.subjects.length}`],
    ["observations", `${nObs} (${meta.observations.map((o) => o.name).join(", ")})`],
    ["time", `${meta.time.name}${meta.time.unit ? ` in ${meta.time.unit}` : ""}`],
    ["fit time", `${fit.seconds < 1 ? (fit.seconds * 1000).toFixed(0) + " ms" : fit.seconds.toFixed(2) + " s"}`],
    ["estimator", String(fit.settings["estimator"] ?? "weak form")],
    ["generated", generated],
  ];
  return (
    `<header><h1>${esc(meta.name)} <span class="sub">fit report</span></h1>` +
    `<dl class="facts">${rows.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("")}</dl></header>`
  );
}

function table(head: string[], rows: string[][], cls = ""): string {
  return (
    `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>`
  );
}

function estimatesSection(meta: ModelMeta, fit: FitResult): string {
  const out: string[] = [];
  const plain = meta.parameters.filter((p) => !p.dictionaryTerm);
  if (plain.length > 0) {
    const rows = plain.map((p) => {
      const e = fit.parameters[p.name];
      const rse = e && e.se !== null && e.estimate !== 0 ? e.se / Math.abs(e.estimate) : null;
      const cv = e && e.omega !== null && e.estimate !== 0 ? e.omega / Math.abs(e.estimate) : null;
      return [
        `<code>${esc(p.name)}</code>`,
        num(e?.estimate),
        num(e?.se),
        formatPercent(rse),
        num(e?.omega),
        formatPercent(cv),
        esc(p.doc ?? ""),
      ];
    });
    out.push(
      table(
        ["parameter", "estimate", "s.e.", "r.s.e.", "ω (SD)", "ω / |estimate|", "description"],
        rows,
        "estimates numeric",
      ),
    );
  }
  if (fit.terms) {
    // Grouped by equation, one compact line each: a flat table of every term runs for pages.
    const groups = new Map<string, NonNullable<FitResult["terms"]>>();
    for (const t of fit.terms) groups.set(t.equation, [...(groups.get(t.equation) ?? []), t]);
    const rows = [...groups].map(([eq, terms]) => [
      esc(eq),
      terms
        .map((t) => {
          const extra = [t.omega ? `ω ${num(t.omega, 3)}` : "", t.stability < 1 ? `stability ${formatPercent(t.stability)}` : ""].filter((x) => x);
          return `<span class="term"><code>${esc(t.term)}</code> ${num(t.estimate)}${extra.length > 0 ? ` <small>(${esc(extra.join(", "))})</small>` : ""}</span>`;
        })
        .join(""),
    ]);
    out.push(`<h3>Selected terms (${fit.terms.length})</h3>`);
    out.push(
      `<p class="small">Coefficient of each selected dictionary term, with its random-effect SD (ω) when it varies between subjects and its selection stability (selection probability under subsampling of subjects) when below 100%.</p>`,
    );
    out.push(table(["equation", "terms"], rows, "terms"));
  }
  const derived = Object.entries(fit.derived);
  if (derived.length > 0) {
    const docs = new Map(meta.derived.map((d) => [d.name, d.doc ?? ""]));
    out.push(`<h3>Derived quantities</h3>`);
    out.push(table(["quantity", "value", "description"], derived.map(([k, v]) => [`<code>${esc(k)}</code>`, num(v), esc(docs.get(k) ?? "")]), "derived numeric"));
  }
  const residual = Object.entries(fit.residual);
  if (residual.length > 0) {
    out.push(`<h3>Residual error</h3>`);
    out.push(
      table(
        ["output", "model", "a (additive)", "b (proportional)"],
        residual.map(([k, r]) => [esc(k), esc(r.error), num(r.a), num(r.b)]),
        "residual numeric",
      ),
    );
  }
  const corr = Object.entries(fit.omegaCorrelation);
  if (corr.length > 0) {
    out.push(`<h3>Random-effect correlations</h3>`);
    out.push(table(["pair", "correlation"], corr.map(([k, v]) => [esc(k.replace(",", " – ")), num(v, 3)]), "numeric"));
  }
  const ll = fit.settings["logLik"];
  if (typeof ll === "number")
    out.push(`<p class="small">Log-likelihood of the weak-form mixed model: ${num(ll, 6)} (on pseudo-data: not comparable with an ODE likelihood).</p>`);
  return out.join("\n");
}

function networkSection(meta: ModelMeta, fit: FitResult): string {
  const names = meta.states.map((s) => s.name);
  const terms = fit.terms ?? [];
  // The sparse fit records what its stabilities are (half-samples or folds) and the threshold it applied.
  const stab = (fit.settings["stability"] ?? {}) as { of?: string; threshold?: number | null };
  const threshold = typeof stab.threshold === "number" ? stab.threshold : undefined;
  const svg = networkSvg(names, terms, { stabilityThreshold: threshold, stabilityOf: stab.of });
  return (
    `<div class="network-wrap">${svg}<p class="small">Each arrow is a selected term of the target's equation that contains the source state ` +
    `(<span style="color:#1b7837">green</span>: positive, <span style="color:#b2182b">red</span>: negative coefficient; ` +
    `width: |coefficient|; dashed: product terms; opacity: the term's selection probability` +
    `${stab.of ? ` ${esc(stab.of)}` : ""}${threshold !== undefined ? `, terms below ${formatPercent(threshold)} dropped` : ""}). ` +
    `Self terms and constants are listed in the table above, not drawn. ` +
    `${terms.length} term(s) selected.</p></div>`
  );
}

function legendHtml(censored: boolean, doses: boolean, smooth: boolean): string {
  const item = (svg: string, label: string) => `<span class="key">${svg}${esc(label)}</span>`;
  return (
    `<p class="legend">` +
    item(`<svg width="14" height="10"><circle cx="7" cy="5" r="3" fill="${COLORS.data}"/></svg>`, censored ? "data (hollow: censored)" : "data") +
    (smooth ? item(`<svg width="22" height="10"><path d="M1 5h20" stroke="${COLORS.smooth}" stroke-width="2" stroke-dasharray="4 3"/></svg>`, "smoothed curve (the estimator's)") : "") +
    item(`<svg width="22" height="10"><path d="M1 5h20" stroke="${COLORS.prediction}" stroke-width="2"/></svg>`, "individual prediction (simulated with the individual estimates)") +
    (doses ? item(`<svg width="14" height="10"><path d="M7 0v10" stroke="#999" stroke-dasharray="2 2"/></svg>`, "dose") : "") +
    `</p>`
  );
}

function individualSection(meta: ModelMeta, diag: ReportDiagnostics, maxSubjects: number, maxOutputs: number, ids: IdSource): string {
  const shown = diag.subjects.slice(0, maxSubjects);
  const censored = shown.some((s) => s.outputs.some((o) => o.censored?.some((c) => c !== 0)));
  const doses = shown.some((s) => s.doseTimes.length > 0);
  const parts = [legendHtml(censored, doses, shown.some((s) => s.outputs.some((o) => o.smooth.length > 0)))];
  const tName = meta.time.name;
  meta.observations.slice(0, maxOutputs).forEach((o, oi) => {
    const panels = shown.map((s) => subjectPanel(s, oi, tName, ids));
    parts.push(`<h3>${esc(o.name)}</h3>`, `<div class="grid small-multiples">${panels.join("")}</div>`);
  });
  return parts.join("\n");
}

function subjectPanel(s: SubjectView, oi: number, tName: string, ids: IdSource): string {
  const o = s.outputs[oi]!;
  const marks: Marks[] = [];
  for (const piece of o.smooth) marks.push({ kind: "line", x: piece.t, y: piece.y, color: COLORS.smooth, dash: "4 3", width: 1.4 });
  if (o.predicted) marks.push({ kind: "line", x: o.predicted.t, y: o.predicted.y, color: COLORS.prediction, width: 1.8 });
  marks.push({ kind: "points", x: o.times, y: o.values, color: COLORS.data, ...(o.censored ? { hollow: o.censored } : {}) });
  // The data and smooth set the range; a prediction that runs away may widen it only so far.
  const base = extent(o.values, ...o.smooth.map((p) => p.y));
  let yDomain: [number, number] | undefined;
  if (base) {
    const span = base[1] - base[0] || Math.abs(base[0]) || 1;
    const pe = o.predicted ? extent(o.predicted.y) : null;
    const lo = pe ? Math.min(base[0], Math.max(pe[0], base[0] - 0.5 * span)) : base[0];
    const hi = pe ? Math.max(base[1], Math.min(pe[1], base[1] + 0.5 * span)) : base[1];
    yDomain = pad([lo, hi], 0.06);
  }
  const xAll = extent(o.times, ...(o.predicted ? [o.predicted.t] : []));
  const svg = plotSvg({
    width: 220,
    height: 160,
    marks,
    ...(yDomain ? { yDomain } : {}),
    ...(xAll ? { xDomain: pad(xAll, 0.03) } : {}),
    vRules: s.doseTimes,
    clipId: ids.next("clip"),
    ticks: 4,
  });
  const caption = `ID ${esc(s.id)}${s.problem ? ` <span class="warn" title="${esc(s.problem)}">(no prediction)</span>` : ""}`;
  return `<figure class="panel" data-subject="${esc(s.id)}" aria-label="${esc(`${s.id} vs ${tName}`)}">${svg}<figcaption>${caption}</figcaption></figure>`;
}

function obsPredSection(meta: ModelMeta, diag: ReportDiagnostics, maxOutputs: number, ids: IdSource): string {
  const panels = meta.observations.slice(0, maxOutputs).map((o, oi) => {
    const pred: number[] = [];
    const obs: number[] = [];
    for (const s of diag.subjects) {
      const v = s.outputs[oi]!;
      if (!v.predictedAtObs) continue;
      for (let i = 0; i < v.times.length; i++) {
        if (v.censored && v.censored[i] !== 0) continue;
        const p = v.predictedAtObs[i]!;
        if (Number.isFinite(p) && Number.isFinite(v.values[i]!)) {
          pred.push(p);
          obs.push(v.values[i]!);
        }
      }
    }
    let ss = 0;
    for (let i = 0; i < pred.length; i++) ss += (obs[i]! - pred[i]!) ** 2;
    const rmse = pred.length > 0 ? Math.sqrt(ss / pred.length) : NaN;
    // Square panel on the observed range, widened only moderately for stray predictions.
    const ob = extent(obs);
    const pe = extent(pred);
    let domain: [number, number] | undefined;
    if (ob && pe) {
      const span = ob[1] - ob[0] || 1;
      domain = pad([Math.min(ob[0], Math.max(pe[0], ob[0] - 0.5 * span)), Math.max(ob[1], Math.min(pe[1], ob[1] + 0.5 * span))], 0.04);
    }
    const svg = plotSvg({
      width: 330,
      height: 310,
      title: o.name,
      xLabel: "individual prediction",
      yLabel: "observed",
      identity: true,
      ...(domain ? { xDomain: domain, yDomain: domain } : {}),
      marks: [{ kind: "points", x: pred, y: obs, color: COLORS.scatter, opacity: 0.55, radius: 2.4 }],
      clipId: ids.next("clip"),
    });
    return `<figure class="panel big" data-output="${esc(o.name)}">${svg}<figcaption>n = ${pred.length}, RMSE = ${num(rmse, 3)}</figcaption></figure>`;
  });
  return (
    `<p class="small">Observations against the individual predictions (simulated from each subject's estimates and the start values described under Notes); the grey line is y = x. Censored values are left out.</p>` +
    `<div class="grid">${panels.join("")}</div>`
  );
}

function residualSection(meta: ModelMeta, diag: ReportDiagnostics, maxOutputs: number, ids: IdSource): string {
  const scale =
    diag.residualScale === "sigma"
      ? "divided by the residual SD of the weak-form mixed model (so roughly unit scale when the model holds)"
      : "unscaled";
  const shown = diag.residuals.filter((r) => r.r.length > 0);
  if (shown.length === 0) {
    return (
      `<p class="small">No weak-form residuals to show: this fit eliminated latent states, and its rows (with the latent ` +
      `states' closed forms, or exact exponential rows) are not rebuilt here. Observed versus predicted above shows the fit.</p>`
    );
  }
  const panels = shown.slice(0, maxOutputs).map((r) => {
    const name = meta.states[r.state]!.name;
    const svg = plotSvg({
      width: 420,
      height: 230,
      title: `d${name}/d${meta.time.name}`,
      xLabel: `test-function centre (${meta.time.name})`,
      yLabel: diag.residualScale === "sigma" ? "residual / σ" : "residual",
      hRules: [0],
      marks: [{ kind: "points", x: r.t, y: r.r, color: COLORS.scatter, opacity: 0.45, radius: 2 }],
      clipId: ids.next("clip"),
    });
    return `<figure class="panel big" data-state="${esc(name)}">${svg}<figcaption>${r.r.length} rows</figcaption></figure>`;
  });
  return (
    `<p class="small">Each point is one weak-form row (one test function, one state, one subject): ` +
    `y − G θ<sub>i</sub> with the subject's individual estimates, ${scale}. ` +
    `A trend over time means the dynamics miss something there; rows from neighbouring test functions overlap, so they are correlated.</p>` +
    `<div class="grid">${panels.join("")}</div>`
  );
}

function notesSection(fit: FitResult, extra: string[]): string {
  const out: string[] = [];
  // The quality check's findings come first, in the words the CLI and the exports use.
  const findings = fit.quality?.findings ?? [];
  const warned = findings.some((f) => f.severity === "warning");
  const quality = findings.map((f) => `${f.severity === "warning" ? "Warning" : "Quality note"} [${f.code}]: ${f.message}. Try: ${f.hint}.`);
  const notes = [...quality, ...fit.notes, ...extra];
  out.push(notes.length > 0 ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : `<p>No notes.</p>`);
  out.push(`<h3>Unidentifiable combinations</h3>`);
  if (fit.unidentifiable.length === 0 && warned)
    out.push(`<p>None found in the stacked design; that does not make the estimates right: see the quality warnings above.</p>`);
  else if (fit.unidentifiable.length === 0) out.push(`<p>None: the data determine every parameter.</p>`);
  else
    out.push(
      table(
        ["combination", "note"],
        fit.unidentifiable.map((u) => [`<code>${esc(combination(u.combination))}</code>`, esc(u.note)]),
        "unidentifiable",
      ),
    );
  out.push(
    `<p class="small">Start values of the predictions: states with a declared initial value start from it at time 0; ` +
      `observed states start from the subject's smoothed curve at its first observation (the weak form never estimates X(0)).</p>`,
  );
  return out.join("\n");
}

function combination(c: Record<string, number>): string {
  return Object.entries(c)
    .map(([k, v], i) => `${v < 0 ? (i === 0 ? "−" : " − ") : i === 0 ? "" : " + "}${num(Math.abs(v))}·${k}`)
    .join("");
}

const CSS = `
:root{--fg:#1d1d1f;--muted:#666;--line:#ddd;--accent:#2166ac;--bg:#fff;--panel:#fafafa}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px 10px;border-bottom:1px solid var(--line);background:#f6f8fb}
h1{margin:0 0 10px;font-size:22px}h1 .sub{font-weight:400;color:var(--muted);font-size:16px}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 8px}
dl.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0}
dl.facts div{display:flex;gap:6px}dt{color:var(--muted)}dd{margin:0;font-weight:500}
nav{position:sticky;top:0;z-index:1;background:#fff;border-bottom:1px solid var(--line);padding:6px 28px;display:flex;gap:18px}
nav a{color:var(--accent);text-decoration:none}nav a:hover{text-decoration:underline}
main{padding:0 28px 24px;max-width:1600px}
table{border-collapse:collapse;margin:6px 0 10px}
th,td{padding:4px 12px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{font-weight:600;border-bottom:2px solid var(--line);white-space:nowrap}
table.numeric td:not(:first-child):not(:last-child){text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.terms .term{display:inline-block;margin:0 14px 0 0;white-space:nowrap;font-variant-numeric:tabular-nums}
table.terms small{color:var(--muted)}
code{font:13px ui-monospace,"DejaVu Sans Mono",monospace}
.grid{display:flex;flex-wrap:wrap;gap:10px}
figure.panel{margin:0;padding:4px 4px 2px;background:var(--panel);border:1px solid #eee;border-radius:4px}
figure.panel figcaption{font-size:12px;color:var(--muted);text-align:center}
.warn{color:#b2182b}
.small{font-size:12.5px;color:var(--muted);max-width:980px}
p.legend{display:flex;flex-wrap:wrap;gap:18px;font-size:12.5px;color:#444}
p.legend .key{display:inline-flex;align-items:center;gap:6px}
ul.notes li{margin:3px 0}
.network-wrap{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.network-wrap p{max-width:380px}
footer{padding:14px 28px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
`.trim();
