// specs/gene_network.nlme (20 genes, linear dictionary with a constant). The fit
// selected the terms of data/gene_network_linear.truth.json (80 of 420); only
// those are exported. Production terms `1` carry random effects (RE 20%).
import { readFileSync } from "node:fs";
import type { ParameterMeta } from "../../../src/runtime/model.js";
import { baseFit, baseMeta, est, type ExportFixture } from "./fixture.js";

const N = 20;
const states = Array.from({ length: N }, (_, i) => ({ name: `g${i + 1}`, latent: false, doc: "module expression" }));
const terms = ["1", ...states.map((s) => s.name)];
const parameters: ParameterMeta[] = [];
for (let k = 0; k < N; k++)
  for (const term of terms)
    parameters.push({
      name: `W_g${k + 1}_${term}`,
      variability: "selected",
      distribution: "normal",
      dictionaryTerm: { state: k, term },
    });

const meta = baseMeta({
  name: "gene_network",
  time: { name: "t", unit: "hours" },
  states,
  parameters,
  dictionaries: [{ name: "Phi", over: states.map((_, i) => i), degree: 1, constant: true, terms }],
  penalty: { kind: "lasso", param: "W", lambda: "cv" },
  observations: states.map((s, i) => ({
    name: s.name,
    state: i,
    transform: "identity" as const,
    error: "proportional" as const,
  })),
  equationParams: states.map((_, k) => terms.map((__, j) => k * terms.length + j)),
  equations: states.map((_, k) => terms.map((t, j) => `W_g${k + 1}_${t}${j === 0 ? "" : ` * ${t}`}`).join(" + ")),
});

const truth = JSON.parse(
  readFileSync(new URL("../../../data/gene_network_linear.truth.json", import.meta.url), "utf8"),
) as {
  theta: Record<string, number>;
  omega_sd: Record<string, number>;
};
const selected = Object.entries(truth.theta).map(([key, value], i) => {
  const [equation, term] = key.split(":") as [string, string];
  const omega = truth.omega_sd[key]! > 0 ? truth.omega_sd[key]! * 1.05 : null;
  // A fit is near, not at, the truth: a deterministic 2% perturbation.
  return { equation, term, estimate: value * (1 + 0.02 * Math.sin(i + 1)), omega, stability: 1 };
});

const fit = baseFit(
  "gene_network",
  20,
  Object.fromEntries(
    selected.map((s) => [`W_${s.equation.replace(/^d_|\/dt$/g, "")}_${s.term}`, est(s.estimate, s.omega)]),
  ),
  Object.fromEntries(states.map((s) => [s.name, { b: 0.05, error: "proportional" as const }])),
);
fit.terms = selected;

const index = new Map(parameters.map((p, i) => [p.name, i]));

export const geneNetwork: ExportFixture = {
  meta,
  fit,
  dataFile: "gene_network_linear.csv",
  step: 0.01,
  rhs(x, th, _t, _env, out) {
    for (let k = 0; k < N; k++) {
      let s = th[index.get(`W_g${k + 1}_1`)!]!;
      for (let j = 0; j < N; j++) s += th[index.get(`W_g${k + 1}_g${j + 1}`)!]! * x[j]!;
      out[k] = s;
    }
  },
};
