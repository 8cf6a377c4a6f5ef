// The report in a real headless browser (Debian's chromium via playwright-core):
// it renders offline without requesting anything, every plot has marks on
// screen, and the pixels of sample panels carry the colours of the data, the
// smooth and the prediction. Full-page screenshots go to test-output/report/.
// Without /usr/bin/chromium the suite is skipped locally and fails in CI
// (.ci/install-browser installs it).
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { model as gene } from "../../../generated/gene_network.js";
import { model as logistic } from "../../../generated/logistic.js";
import { model as lotka } from "../../../generated/lotka_volterra.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { COLORS, renderReport } from "../../../src/runtime/report/report-html.js";
import { NEGATIVE, POSITIVE } from "../../../src/runtime/report/network-svg.js";
import { launchBrowser, hasChromium, CHROMIUM, type Browser } from "./browser.js";
import { dataset, truthFit } from "./fixtures.js";

const OUT = join(import.meta.dirname, "../../../test-output/report");
const available = hasChromium();
const inCI = Boolean(process.env["CI"]);
if (!available && !inCI)
  console.warn(`report browser test skipped: ${CHROMIUM} not found (install it with .ci/install-browser)`);

interface PlotBox {
  cls: string;
  width: number;
  height: number;
  marks: number;
  inkWidth: number;
  inkHeight: number;
  inside: boolean;
}

/** Geometry of every rendered plot, measured by the browser's layout. */
const MEASURE_PLOTS = `(() => [...document.querySelectorAll("svg.plot, svg.network")].map((svg) => {
  const r = svg.getBoundingClientRect();
  const ink = svg.querySelector(".marks, .edges");
  const b = ink ? ink.getBBox() : { x: 0, y: 0, width: 0, height: 0 };
  const vb = svg.viewBox.baseVal;
  const marks = ink ? ink.querySelectorAll("circle, path.line, path.edge").length : 0;
  const inside = b.x < vb.x + vb.width && b.x + b.width > vb.x && b.y < vb.y + vb.height && b.y + b.height > vb.y;
  return { cls: svg.getAttribute("class"), width: r.width, height: r.height, marks, inkWidth: b.width, inkHeight: b.height, inside };
}))()`;

/** Count pixels of given colours in a PNG (decoded by the browser itself: no image library needed). */
async function colourCounts(page: Page, png: Buffer, colours: string[]): Promise<number[]> {
  const script = `(async () => {
    const img = new Image();
    img.src = "data:image/png;base64,${png.toString("base64")}";
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    const targets = ${JSON.stringify(colours)}.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
    const counts = targets.map(() => 0);
    for (let i = 0; i < px.length; i += 4)
      targets.forEach((t, k) => {
        if (Math.abs(px[i] - t[0]) + Math.abs(px[i + 1] - t[1]) + Math.abs(px[i + 2] - t[2]) < 60) counts[k]++;
      });
    return counts;
  })()`;
  return (await page.evaluate(script)) as number[];
}

describe.skipIf(!available && !inCI)("HTML report in headless chromium", () => {
  let browser: Browser | undefined;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    if (!available) return;
    mkdirSync(OUT, { recursive: true });
    browser = await launchBrowser();
    browser.context.on("request", (r) => {
      if (!r.url().startsWith("data:")) requests.push(r.url());
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("has chromium to run on", () => {
    expect(available, `${CHROMIUM} is missing: CI must run .ci/install-browser`).toBe(true);
  });

  async function open(html: string, name: string): Promise<{ page: Page; plots: PlotBox[] }> {
    const page = await browser!.context.newPage();
    page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${name}: ${m.text()}`);
    });
    await page.setContent(html, { waitUntil: "load" });
    const plots = (await page.evaluate(MEASURE_PLOTS)) as PlotBox[];
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
    expect(statSync(join(OUT, `${name}.png`)).size).toBeGreaterThan(20_000);
    return { page, plots };
  }

  function expectPlotsDrawn(plots: PlotBox[]): void {
    expect(plots.length).toBeGreaterThan(0);
    for (const p of plots) {
      expect(p.width).toBeGreaterThan(100);
      expect(p.height).toBeGreaterThan(100);
      expect(p.marks).toBeGreaterThan(0);
      expect(p.inkWidth).toBeGreaterThan(5);
      expect(p.inkHeight).toBeGreaterThan(5);
      expect(p.inside).toBe(true);
    }
  }

  it("orange trees (estimator fit): renders offline, every plot drawn, panels show data, smooth and prediction", async () => {
    const data = dataset(logistic, "orange.csv");
    const html = renderReport(logistic, data, fit(logistic, data), { specPath: "specs/logistic.nlme" });
    const { page, plots } = await open(html, "orange");
    expectPlotsDrawn(plots);
    expect(plots.filter((p) => p.cls === "plot").length).toBe(5 + 1 + 1); // subjects, obs-vs-pred, residuals
    expect(await page.title()).toBe("logistic: fit report");
    // No horizontal scrolling at a laptop width.
    expect((await page.evaluate("document.documentElement.scrollWidth")) as number).toBeLessThanOrEqual(1280);
    const panel = await page.locator("figure.panel[data-subject]").first().screenshot();
    const [data_, smooth, pred, absent] = await colourCounts(page, panel, [COLORS.data, COLORS.smooth, COLORS.prediction, "#ff00ff"]);
    expect(absent).toBe(0); // the pixel count is selective
    expect(data_).toBeGreaterThan(20);
    expect(smooth).toBeGreaterThan(20);
    expect(pred).toBeGreaterThan(50);
    await page.close();
  });

  it("lotka-volterra (estimator fit, capped grid): all plots drawn", async () => {
    const data = dataset(lotka, "lotka_volterra.csv");
    const html = renderReport(lotka, data, fit(lotka, data), { maxSubjects: 10 });
    const { page, plots } = await open(html, "lotka_volterra");
    expectPlotsDrawn(plots);
    expect(plots.length).toBe(2 * 10 + 2 + 2);
    const scatter = await page.locator("figure.panel[data-output]").first().screenshot();
    const [blue] = await colourCounts(page, scatter, [COLORS.scatter]);
    expect(blue).toBeGreaterThan(500);
    await page.close();
  });

  it("gene network (truth fit): the network is drawn with both signs of regulation", async () => {
    const all = dataset(gene, "gene_network_linear.csv");
    const data = { ...all, subjects: all.subjects.slice(0, 4) };
    const html = renderReport(gene, data, truthFit(gene, "gene_network_linear.truth.json"), { maxOutputs: 4, diagnostics: { gridPoints: 30 } });
    const { page, plots } = await open(html, "gene_network");
    expectPlotsDrawn(plots);
    const net = plots.find((p) => p.cls === "network")!;
    expect(net.marks).toBe(40);
    const shot = await page.locator("svg.network").screenshot();
    const [pos, neg] = await colourCounts(page, shot, [POSITIVE, NEGATIVE]);
    expect(pos).toBeGreaterThan(200);
    expect(neg).toBeGreaterThan(200);
    await page.close();
  });

  it("made no network request and raised no page error (and would have seen one)", async () => {
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    // Control: a page that does reference the network is noticed by the same listener.
    const page = await browser!.context.newPage();
    await page.setContent('<img src="http://report-test.invalid/x.png">', { waitUntil: "load" });
    await page.close();
    expect(requests).toEqual(["http://report-test.invalid/x.png"]);
  });
});
