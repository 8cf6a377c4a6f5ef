// SAEM's individual predictions with steady-state doses, on every quinidine patient (data/real/quinidine.csv: 249
// SS=1 doses), against an independent port of the model R's reference fit uses (data/real/fit_quinidine.R oral1(),
// checked there against nlme's own quinModel): event by event, analytic between records, an SS dose resetting the
// depot to AMT / (1 - e^{-ka II}) and the body to AMT ka/(ka - ke) (1/(1 - e^{-ke II}) - 1/(1 - e^{-ka II})).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/cli/load-model.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { buildLayout } from "../../../src/runtime/refine/layout.js";
import { SubjectPredictor } from "../../../src/runtime/refine/predict.js";

const root = resolve(import.meta.dirname, "../../..");

/** R's oral1() for one patient's rows (constant parameters): concentrations at the observation rows. */
function oral1(rows: { time: number; evid: number; amt: number; ss: number; ii: number }[], V: number, ka: number, ke: number): number[] {
  let ad = 0;
  let ac = 0;
  let tl = rows[0]!.time;
  const out: number[] = [];
  for (const r of rows) {
    const dt = r.time - tl;
    if (dt > 0) {
      const ea = Math.exp(-ka * dt);
      const ek = Math.exp(-ke * dt);
      ac = ac * ek + ad * ka * ((ek - ea) / (ka - ke));
      ad *= ea;
    }
    tl = r.time;
    if (r.evid === 1) {
      if (r.ss === 1) {
        ad = r.amt / (1 - Math.exp(-ka * r.ii));
        ac = ((r.amt * ka) / (ka - ke)) * (1 / (1 - Math.exp(-ke * r.ii)) - 1 / (1 - Math.exp(-ka * r.ii)));
      } else ad += r.amt;
    } else if (r.evid === 0) out.push(ac / V);
  }
  return out;
}

describe("SAEM's predictions honour steady-state doses (quinidine, R's M0 model)", () => {
  it("equal R's oral1() at every observation of the 136 patients, at R's M0 typical values", async () => {
    const model = (await loadModel(join(root, "test/runtime/refine/real/quinidine_m0.nlme"))).model;
    const path = join(root, "data/real/quinidine.csv");
    const text = readFileSync(path, "utf8");
    const data = loadData(text, path, model.meta);
    const [V, ka, Cl] = [Math.exp(5.381595339), Math.exp(-0.2674984454), Math.exp(2.470131008)];
    const ke = Cl / V;
    const lines = text.trim().split("\n");
    const head = lines[0]!.split(",");
    const col = (n: string) => head.indexOf(n);
    const byId = new Map<string, { time: number; evid: number; amt: number; ss: number; ii: number }[]>();
    for (const l of lines.slice(1)) {
      const c = l.split(",");
      const list = byId.get(c[0]!) ?? byId.set(c[0]!, []).get(c[0]!)!;
      list.push({ time: Number(c[col("TIME")]), evid: Number(c[col("EVID")]), amt: Number(c[col("AMT")]), ss: Number(c[col("SS")] || 0), ii: Number(c[col("II")] || 0) });
    }
    const layout = buildLayout(model, data);
    const psi = Float64Array.from(layout.components, (c) => ({ ka, V, ke })[c.name as "ka" | "V" | "ke"]);
    let worst = 0;
    let n = 0;
    for (const s of data.subjects) {
      const p = new SubjectPredictor(model, layout, s);
      const got = new Float64Array(p.obs.n);
      expect(p.predict(psi, got, true)).toBe(true);
      const want = oral1(byId.get(s.id)!, V, ka, ke);
      expect(want.length).toBe(p.obs.n);
      want.forEach((w, i) => {
        worst = Math.max(worst, Math.abs(got[i]! - w) / w);
        n++;
      });
    }
    expect(n).toBe(361);
    expect(worst).toBeLessThan(1e-6);
  });
});
