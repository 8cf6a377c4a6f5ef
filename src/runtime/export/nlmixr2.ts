// Writes `nlmixr2/model.R`: the same first guesses as the Monolix project, as
// an nlmixr2 model function (`ini({...})`, `model({...})`). Mu-referenced
// parameters: logNormal -> `exp(tX + eta.X)` with theta on the log scale,
// normal -> `tX + eta.X`, logitNormal -> `expit(tX + eta.X, lo, hi)`.
// `~` in ini gives eta VARIANCES (omega^2); residual `add()`/`prop()` take SDs.
// Time since the most recent dose is rxode2's `tad0()` and the dose number
// `dosenum()` (rxode2 tests/testthat/test-tad.R). Notes on the conventions:
// /work/shared/research/monolix-export.md section 4.
import type { FitResult } from "../fit-result.js";
import type { ModelMeta } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import { buildPlan, type ExportOptions, type ExportPlan, type PlanParameter } from "./plan.js";
import { formatEstimate, formatNumber, renameIdentifiers } from "./expr.js";

export function exportNlmixr2(meta: ModelMeta, fit: FitResult, data?: Dataset, options: ExportOptions = {}): string {
  return renderNlmixr2(buildPlan(meta, fit, data, options));
}

const fmt = formatNumber;
const est = formatEstimate;

function thetaText(p: PlanParameter): string {
  switch (p.distribution) {
    case "logNormal":
      return `log(${est(p.typical)})`;
    case "normal":
      return est(p.typical);
    case "logitNormal": {
      const { min, max } = p.bounds!;
      // logit((x - lo) / (hi - x)) as a number: ini() only needs the value.
      return est(Math.log((p.typical - min) / (max - p.typical)));
    }
  }
}

/** The covariate terms of a parameter on its transformed scale: `beta_V_WT * log(WT/70)`, `beta_r_DIET_D2 * (DIET == "D2")`. */
function covariateText(p: PlanParameter): string {
  const terms: string[] = [];
  for (const e of p.effects ?? []) {
    if (e.kind === "continuous") terms.push(`${e.coefficient.name} * ${/^[A-Za-z_][A-Za-z0-9_.]*$/.test(e.expr) ? e.expr : `(${e.expr})`}`);
    else for (const c of e.coefficients) if (c) terms.push(`${c.name} * (${e.covariate} == ${levelLiteral(c.level)})`);
  }
  return terms.map((t) => ` + ${t}`).join("");
}

/** A level as R compares it with the data column: a number when it reads as one, else a string. */
function levelLiteral(level: string): string {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(level) ? level : JSON.stringify(level);
}

function individualText(p: PlanParameter): string {
  const base = `t${p.name}${covariateText(p)}`;
  const mu = p.omega === null ? base : `${base} + eta.${p.name}`;
  switch (p.distribution) {
    case "logNormal":
      return `exp(${mu})`;
    case "normal":
      return mu;
    case "logitNormal":
      return `expit(${mu}, ${fmt(p.bounds!.min)}, ${fmt(p.bounds!.max)})`;
  }
}

/** rxode2 spells the neutral dose symbols differently from Mlxtran. */
function rText(expr: string): string {
  return renameIdentifiers(expr, (id) => (id === "since_dose" ? "tad0()" : undefined));
}

export function renderNlmixr2(plan: ExportPlan): string {
  const L: string[] = [];
  const single = plan.observations.length === 1;
  L.push(`# ${plan.model}: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.`);
  L.push("# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.");
  if (plan.jumps.some((j) => j.p !== "1")) L.push("# Infusions: a DUR (or RATE) column on the dose rows; f() below scales their rate like a bolus.");
  if (plan.steadyState)
    L.push("# Steady-state doses: SS = 1 and the interval II on their dose rows (rxode2's ss and ii): the state is reset to the regimen's steady state.");
  if (plan.jumps.length) {
    const targets = [...new Set(plan.jumps.map((j) => j.target))];
    L.push(
      `# Each administration is one EVID=1 row per dosed state (CMT = ${targets.join(", ")}) with the AMT of the dose.`,
    );
  } else if (plan.needsDoseIndex) {
    L.push("# Administrations carry no amount into a state: give each one EVID=1 row with AMT=0 (any CMT);");
    L.push("# they only mark the dose times read by tad0() and dosenum().");
  }
  if (!single)
    L.push(`# Observation rows name their endpoint with DVID 1..${plan.observations.length} (order below) or CMT.`);
  if (plan.covariates.length > 0)
    L.push(`# Covariate columns: ${plan.covariates.map((c) => (c.kind === "categorical" ? `${c.name} (categorical, reference ${c.categories?.[0] ?? "?"})` : c.name)).join(", ")}.`);
  L.push(`# Integration starts at t = ${fmt(plan.t0)} (Monolix t_0); the data should start there too.`);
  for (const n of plan.notes) L.push(`# note: ${n}`);
  L.push("");
  L.push(`${plan.model} <- function() {`);
  L.push("  ini({");
  for (const p of plan.parameters) {
    const label = p.doc ? `; label(${JSON.stringify(p.doc)})` : "";
    L.push(`    t${p.name} <- ${thetaText(p)}${label}`);
    for (const e of p.effects ?? [])
      for (const c of e.kind === "continuous" ? [e.coefficient] : e.coefficients) if (c) L.push(`    ${c.name} <- ${est(c.value)}`);
  }
  // Random effects: correlated blocks as lower-triangle covariance, the rest one by one.
  const inBlock = new Set<string>();
  const blocks = [...new Set(plan.correlations.map((c) => c.block))];
  for (const b of blocks) {
    const cs = plan.correlations.filter((c) => c.block === b);
    const members = [...new Set(cs.flatMap((c) => [c.a, c.b]))].map((n) => plan.parameters.find((p) => p.name === n)!);
    const vals: string[] = [];
    members.forEach((pi, i) => {
      for (let j = 0; j <= i; j++) {
        const pj = members[j]!;
        if (i === j) vals.push(est(pi.omega! * pi.omega!));
        else {
          const r =
            cs.find((c) => (c.a === pi.name && c.b === pj.name) || (c.a === pj.name && c.b === pi.name))?.value ?? 0;
          vals.push(est(r * pi.omega! * pj.omega!));
        }
      }
    });
    members.forEach((m) => inBlock.add(m.name));
    L.push(`    ${members.map((m) => `eta.${m.name}`).join(" + ")} ~ c(${vals.join(", ")})`);
  }
  for (const p of plan.parameters)
    if (p.omega !== null && !inBlock.has(p.name)) L.push(`    eta.${p.name} ~ ${est(p.omega * p.omega)}`);
  for (const o of plan.observations) {
    const suffix = single ? "" : `.${o.name}`;
    if (o.a) L.push(`    add.sd${suffix} <- ${est(o.a.value)}`);
    if (o.b) L.push(`    prop.sd${suffix} <- ${est(o.b.value)}`);
  }
  L.push("  })");
  L.push("  model({");
  for (const p of plan.parameters) L.push(`    ${p.name} <- ${individualText(p)}`);
  for (const c of plan.constants) L.push(`    ${c.name} <- ${fmt(c.value)}`);
  for (const v of plan.vectors) {
    L.push(`    ${v.name} <- 0`);
    v.values.forEach((val, k) =>
      L.push(`    if (dosenum() == ${k + 1}) {`, `      ${v.name} <- ${rText(val)}`, "    }"),
    );
  }
  for (const d of plan.doseIndicators)
    L.push(`    ${d.name} <- 0`, `    if (dosenum() == ${d.k}) {`, `      ${d.name} <- 1`, "    }");
  for (const s of plan.states) {
    const init = s.initial.kind === "value" ? fmt(s.initial.value) : s.initial.param;
    L.push(`    ${s.name}(0) <- ${init}`);
  }
  for (const s of plan.states) L.push(`    d/dt(${s.name}) <- ${rText(s.rhs)}`);
  // A dose scaled by a coefficient (`C += amt / V`): rxode2's bioavailability f(); infusions (RATE/DUR) scale with it.
  for (const target of new Set(plan.jumps.filter((j) => j.p !== "1").map((j) => j.target)))
    L.push(`    f(${target}) <- ${rText(plan.jumps.find((j) => j.target === target)!.p)}`);
  for (const o of plan.observations) {
    const suffix = single ? "" : `.${o.name}`;
    const err =
      o.error === "constant"
        ? `add(add.sd${suffix})`
        : o.error === "proportional"
          ? `prop(prop.sd${suffix})`
          : `add(add.sd${suffix}) + prop(prop.sd${suffix}) + combined2()`;
    L.push(`    ${o.pred} <- ${rText(o.predExpr)}`);
    L.push(`    ${o.pred} ~ ${err}${single ? "" : ` | ${o.state}`}`);
  }
  L.push("  })");
  L.push("}");
  return L.join("\n") + "\n";
}
