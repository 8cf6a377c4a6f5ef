import { loadModel } from "/work/wt/sparse2/src/cli/load-model.js";
import { loadData } from "/work/wt/sparse2/src/runtime/data/load-data.js";
import { fit } from "/work/wt/sparse2/src/runtime/estimate/fit.js";
import { readFileSync } from "node:fs";
const [spec, file] = process.argv.slice(2);
const { model } = await loadModel(spec!);
const data = loadData(readFileSync(file!, "utf8"), file!, model.meta, {});
const r = fit(model, data, {});
console.log(JSON.stringify(Object.fromEntries(Object.entries(r.parameters).map(([k,v])=>[k,[v.estimate,v.omega]]))), JSON.stringify(r.residual), r.seconds.toFixed(2));
