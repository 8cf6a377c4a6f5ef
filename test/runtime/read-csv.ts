// Test-only reader for the bundled long CSVs (ID, TIME, OBSID, DV; quoted or
// not; no doses), used until the product's loader is wired in.
import { readFileSync } from "node:fs";
import type { Dataset, Subject } from "../../src/runtime/data/dataset.js";

export function readLongCsv(file: string, outputs: string[]): Dataset {
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const header = lines[0]!.split(",").map((h) => h.replace(/"/g, "").toUpperCase());
  const col = (name: string): number => header.indexOf(name);
  const iId = col("ID");
  const iTime = col("TIME");
  const iObs = col("OBSID");
  const iDv = col("DV");
  const bySubject = new Map<string, { t: number[]; v: number[] }[]>();
  for (const line of lines.slice(1)) {
    const f = line.split(",").map((x) => x.replace(/"/g, ""));
    const dv = f[iDv]!;
    if (dv === "." || dv === "") continue;
    const id = f[iId]!;
    const o = iObs >= 0 ? outputs.indexOf(f[iObs]!) : 0;
    if (o < 0) continue;
    if (!bySubject.has(id)) bySubject.set(id, outputs.map(() => ({ t: [], v: [] })));
    const s = bySubject.get(id)![o]!;
    s.t.push(Number(f[iTime]));
    s.v.push(Number(dv));
  }
  const subjects: Subject[] = [...bySubject].map(([id, series]) => ({
    id,
    series: series.map((s, o) => ({ output: outputs[o]!, times: Float64Array.from(s.t), values: Float64Array.from(s.v) })),
    doses: [],
    covariates: new Float64Array(0),
  }));
  return { file, outputs, covariates: [], subjects };
}
