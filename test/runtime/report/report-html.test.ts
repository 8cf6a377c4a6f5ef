// Structure of the HTML report: self-contained, every section present, numbers
// from the fit, every spec/data string escaped. Data: data/orange.csv (a real
// fit), data/lotka_volterra.csv and data/gene_network_linear.csv (truth fits).
import { describe, expect, it } from "vitest";
import { model as logistic } from "../../../generated/logistic.js";
import { model as lotka } from "../../../generated/lotka_volterra.js";
import { model as gene } from "../../../generated/gene_network.js";
import type { Dataset } from "../../../src/runtime/data/dataset.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { formatNumber } from "../../../src/runtime/report/format.js";
import { renderReport } from "../../../src/runtime/report/report-html.js";
import { dataset, truthFit } from "./fixtures.js";

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
/** Names of every attribute of every tag (values are double-quoted and escaped, so they hold no quote). */
function attributeNames(html: string): Set<string> {
  const names = new Set<string>();
  for (const tag of html.matchAll(/<[a-zA-Z][\w-]*((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g))
    for (const a of tag[1]!.matchAll(/\s+([\w:-]+)(?:="[^"]*")?/g)) names.add(a[1]!.toLowerCase());
  return names;
}

const FIXED = { generatedAt: "2024-01-01 00:00 UTC" };

/** Nothing in the page may make the browser fetch anything. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|image|use)\b/i);
  for (const name of attributeNames(html)) expect(["src", "srcset", "xlink:href", "background", "action"]).not.toContain(name);
  expect(html).not.toMatch(/@import/i);
  expect(attributeNames(html).has("clip-path")).toBe(true); // the scan does see attributes
  expect(html).not.toMatch(/https?:\/\//i);
  for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]!.startsWith("#")).toBe(true);
  for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]!.startsWith("#")).toBe(true);
}

describe("renderReport: orange trees, fitted by the estimator", () => {
  const data = dataset(logistic, "orange.csv");
  const result = fit(logistic, data);
  const html = renderReport(logistic, data, result, { ...FIXED, specPath: "specs/logistic.nlme" });

  it("is one self-contained HTML document", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expectSelfContained(html);
    expect(count(html, /<svg/g)).toBe(count(html, /<\/svg>/g));
  });

  it("has the header facts and every section", () => {
    expect(html).toContain("<title>logistic: fit report</title>");
    expect(html).toContain("<dd>data/orange.csv</dd>");
    expect(html).toContain("<dd>specs/logistic.nlme</dd>");
    expect(html).toContain(`<dd>${result.subjects} fitted of 5</dd>`);
    expect(html).toContain("<dd>35 (circumference)</dd>");
    expect(html).toContain("<dd>2024-01-01 00:00 UTC</dd>");
    for (const id of ["estimates", "individual", "obs-pred", "residuals", "notes"]) expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toContain('<section id="network">');
  });

  it("tabulates the fit's estimates, standard errors and omegas", () => {
    const table = /<table class="estimates numeric">([\s\S]*?)<\/table>/.exec(html)![1]!;
    for (const name of ["r", "q"]) {
      const e = result.parameters[name]!;
      const row = new RegExp(`<tr><td><code>${name}</code></td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>`).exec(table)!;
      expect(row[1]).toBe(formatNumber(e.estimate));
      expect(row[2]).toBe(formatNumber(e.se));
      expect(row[3]).toBe(`${((100 * e.se!) / e.estimate).toFixed(1)}%`);
      expect(row[4]).toBe(formatNumber(e.omega));
    }
    expect(html).toContain(`<td><code>K</code></td><td>${formatNumber(result.derived["K"])}</td>`);
  });

  it("draws one panel per subject, an observed-vs-predicted panel over all points, and residuals per state", () => {
    expect(count(html, /<figure class="panel" data-subject=/g)).toBe(5);
    expect(html).toContain("n = 35, RMSE = ");
    expect(count(html, /<figure class="panel big" data-state="C">/g)).toBe(1);
    // Every plot has something in it.
    for (const m of html.matchAll(/<svg class="plot"[^>]*data-marks="(\d+)"/g)) expect(Number(m[1])).toBeGreaterThan(0);
    // Residuals are standardised: the real fit records its row scales and sigma^2.
    expect(html).toContain("residual / σ");
  });
});

describe("renderReport: caps, notes and escaping", () => {
  it("caps the individual grid and says so", () => {
    const data = dataset(lotka, "lotka_volterra.csv");
    const html = renderReport(lotka, data, truthFit(lotka, "lotka_volterra.truth.json"), { ...FIXED, maxSubjects: 7, diagnostics: { gridPoints: 10 } });
    expect(count(html, /<figure class="panel" data-subject=/g)).toBe(14); // 7 subjects x 2 outputs
    expect(html).toContain("Individual fits show the first 7 of 50 subjects");
    expect(html).toContain("n = 2000, RMSE = "); // observed vs predicted still uses every subject
    expect(count(html, /<figure class="panel big" data-output=/g)).toBe(2);
  });

  it("lists notes and unidentifiable combinations", () => {
    const data = dataset(lotka, "lotka_volterra.csv");
    const f = truthFit(lotka, "lotka_volterra.truth.json", {
      notes: ["a <note> & more"],
      unidentifiable: [{ combination: { a: 0.7071, b: -0.7071 }, note: "a and b <together>" }],
    });
    const html = renderReport(lotka, data, f, { ...FIXED, maxSubjects: 1, diagnostics: { gridPoints: 5 } });
    expect(html).toContain("<li>a &lt;note&gt; &amp; more</li>");
    expect(html).toContain("<code>0.7071·a − 0.7071·b</code>");
    expect(html).toContain("a and b &lt;together&gt;");
  });

  it("escapes every name that comes from the spec or the data", () => {
    const evil = "<img src=x onerror=alert(1)>";
    const meta = logistic.meta;
    const model: CompiledModel = {
      ...logistic,
      meta: {
        ...meta,
        name: `m${evil}`,
        time: { name: `t${evil}`, unit: `d${evil}` },
        states: [{ ...meta.states[0]!, name: `C${evil}` }],
        parameters: meta.parameters.map((p) => ({ ...p, name: `${p.name}${evil}`, doc: `doc${evil}` })),
        observations: [{ ...meta.observations[0]!, name: `circ${evil}` }],
        derived: [{ name: `K${evil}`, doc: evil }],
      },
    };
    const base = dataset(logistic, "orange.csv");
    const data: Dataset = {
      ...base,
      file: `data/${evil}.csv`,
      subjects: base.subjects.map((s, i) => ({ ...s, id: i === 0 ? `"'>${evil}` : s.id })),
    };
    const t = truthFit(logistic, "logistic.truth.json");
    const rename = (row: Record<string, number>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [`${k}${evil}`, v]));
    const f = {
      ...t,
      model: model.meta.name,
      parameters: Object.fromEntries(Object.entries(t.parameters).map(([k, v]) => [`${k}${evil}`, v])),
      individual: { [`"'>${evil}`]: rename(t.individual["1"]!), "2": rename(t.individual["2"]!) },
      derived: { [`K${evil}`]: 190 },
      residual: { [`circ${evil}`]: { error: "proportional" as const, b: 0.05 } },
      notes: [evil],
      settings: { estimator: evil },
    };
    const html = renderReport(model, data, f, FIXED);
    expect(html).not.toContain("<img");
    expect(html).not.toContain(`"'>`);
    expect(count(html, /&lt;img src=x onerror=alert\(1\)&gt;/g)).toBeGreaterThan(10);
    expectSelfContained(html);
    // The predictions still work under the renamed parameters.
    expect(html).toContain('data-subject="&quot;&#39;&gt;&lt;img');
  });
});

describe("renderReport: dictionary model", () => {
  it("draws the selected network and lists the terms instead of every coefficient", () => {
    // Five subjects are plenty for the structure, and keep the weak-form assembly of 420 coefficients quick.
    const all = dataset(gene, "gene_network_linear.csv");
    const data = { ...all, subjects: all.subjects.slice(0, 5) };
    const html = renderReport(gene, data, truthFit(gene, "gene_network_linear.truth.json"), {
      ...FIXED,
      maxSubjects: 2,
      maxOutputs: 3,
      diagnostics: { gridPoints: 10 },
    });
    expect(html).toContain('<section id="network">');
    expect(html).toContain('data-edges="40"');
    expect(html).toContain("<h3>Selected terms (80)</h3>");
    expect(html).not.toContain('<table class="estimates numeric">'); // all 420 parameters are dictionary coefficients
    expect(count(html, /<figure class="panel" data-subject=/g)).toBe(6);
    expect(count(html, /<figure class="panel big" data-state=/g)).toBe(3);
    expect(html).toContain("Panels are drawn for the first 3 of 20 outputs.");
    expectSelfContained(html);
  });
});

describe("renderReport, latent-state model (data/antibody_clairon.csv, its truth fit)", () => {
  it("says why there are no weak-form residuals instead of drawing empty plots", async () => {
    const { model: clairon } = await import("../../../generated/antibody_clairon.js");
    const data = dataset(clairon, "antibody_clairon.csv");
    const html = renderReport(clairon, data, truthFit(clairon, "antibody_clairon.truth.json", { settings: { latent: [] } }), { ...FIXED, maxSubjects: 3 });
    const residuals = html.slice(html.indexOf('id="residuals"'));
    expect(residuals).toContain("No weak-form residuals to show");
    expect(residuals.slice(0, residuals.indexOf("</section>"))).not.toContain("<svg");
    // Issue 13: the notes must not also say how the (absent) residuals are scaled.
    expect(html).not.toMatch(/shown unscaled/);
  });
});
