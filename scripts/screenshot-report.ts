// Renders the report of one example fit and saves a screenshot of its top for
// the README (docs/report.png) and the full HTML beside it in test-output/.
//   npx tsx scripts/screenshot-report.ts [spec] [data] [png]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadModel } from "../src/cli/load-model.js";
import { fit } from "../src/runtime/estimate/fit.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { renderReport } from "../src/runtime/report/report-html.js";
import { hasChromium, launchBrowser } from "../test/runtime/report/browser.js";

async function main(): Promise<void> {
  const [spec = "specs/lotka_volterra.nlme", dataPath = "data/lotka_volterra.csv", png = "docs/report.png"] = process.argv.slice(2);
  if (!hasChromium()) throw new Error("needs /usr/bin/chromium: run .ci/install-browser");
  const { model } = await loadModel(spec);
  const data = loadData(readFileSync(dataPath, "utf8"), dataPath, model.meta);
  const result = fit(model, data);
  const html = renderReport(model, data, result, { specPath: spec, maxSubjects: 10 });
  const htmlPath = resolve("test-output/report/screenshot.html");
  mkdirSync(dirname(htmlPath), { recursive: true });
  writeFileSync(htmlPath, html);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1280, height: 1200 });
    await page.setContent(html, { waitUntil: "load" });
    mkdirSync(dirname(resolve(png)), { recursive: true });
    await page.screenshot({ path: png, fullPage: false });
  } finally {
    await browser.close();
  }
  process.stdout.write(`wrote ${png} and ${htmlPath}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
