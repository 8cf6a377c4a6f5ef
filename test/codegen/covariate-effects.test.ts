// Covariate effects and declared distributions reach the generated module's meta: the coefficient names, the
// covariate indices, and a `value` function whose generated code computes what the IR says (compared with the
// IR interpreter on seeded random covariates).
import { describe, expect, it } from "vitest";
import { analyse } from "../../src/front-end.js";
import { emitModule } from "../../src/codegen/emit-module.js";
import { buildMeta, covariateValueCode } from "../../src/codegen/meta.js";
import type { CovariateEffectIr } from "../../src/ir/model.js";
import { forced } from "./fixtures/index.js";

const SPEC = `
model pk_cov
time t in h

covariates {
  WT    "kg"
  SEX   categorical(reference = "F")  "sex"
  DIET  categorical
}

constants {
  WT_ref = 70
  A(0)   = 1
}

states {
  C  "concentration"
  A  latent
}

parameters {
  k  ~ lognormal + log(WT / WT_ref) + SEX  "elimination"
  r  ~ normal + (WT - 70) + DIET
  c  positive
  d
  e  ~ random
}

dynamics {
  d/dt A = -0.5 * A
  d/dt C = c + d * A + e - k * C - r * C
}

observe {
  conc = C  ~ proportional
}
`;

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("covariate effects and distributions in the meta", () => {
  const result = analyse(SPEC, "pk_cov.nlme");
  it("checks clean", () => {
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
  const ir = result.ir!;
  const meta = buildMeta(ir);

  it("records distributions and positivity as declared", () => {
    const byName = Object.fromEntries(meta.parameters.map((p) => [p.name, p]));
    expect(byName["k"]).toMatchObject({ variability: "random", distribution: "logNormal", positive: true });
    expect(byName["r"]).toMatchObject({ variability: "random", distribution: "normal" });
    expect(byName["r"]!.positive).toBeUndefined();
    expect(byName["c"]).toMatchObject({ variability: "fixed", distribution: "logNormal", positive: true });
    expect(byName["d"]).toMatchObject({ variability: "fixed", distribution: "normal" });
    // The older `~ random` keeps its export default.
    expect(byName["e"]).toMatchObject({ variability: "random", distribution: "logNormal" });
    expect(byName["e"]!.positive).toBeUndefined();
  });

  it("marks an observed state without X(0) as estimated, and no other", () => {
    expect(meta.states.map((s) => [s.name, s.initial, s.initialEstimated])).toEqual([
      ["C", undefined, true],
      ["A", 1, undefined],
    ]);
  });

  it("records the declared variability of an estimated initial value", () => {
    const text = SPEC.replace("  e  ~ random\n", "  e  ~ random\n  C(0) ~ lognormal\n");
    const r = analyse(text, "pk_cov_c0.nlme");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const states = buildMeta(r.ir!).states;
    expect(states[0]).toMatchObject({ name: "C", initialEstimated: true, initialVariability: { distribution: "logNormal", random: true } });
    expect(states[1]!.initialVariability).toBeUndefined();
    // `C(0)` declares no parameter.
    expect(r.ir!.parameters.map((p) => p.name)).toEqual(["k", "r", "c", "d", "e"]);
    const positive = analyse(text.replace("C(0) ~ lognormal", "C(0) positive"), "x").ir!;
    expect(buildMeta(positive).states[0]!.initialVariability).toEqual({ distribution: "logNormal", random: false });
  });

  it("names each effect beta_<param>_<covariate> with its covariate's index and kind", () => {
    const k = meta.parameters.find((p) => p.name === "k")!;
    const r = meta.parameters.find((p) => p.name === "r")!;
    expect(k.covariateEffects!.map((e) => [e.kind, e.name, e.covariate])).toEqual([
      ["continuous", "beta_k_WT", 0],
      ["categorical", "beta_k_SEX", 1],
    ]);
    expect(r.covariateEffects!.map((e) => [e.kind, e.name, e.covariate])).toEqual([
      ["continuous", "beta_r_WT", 0],
      ["categorical", "beta_r_DIET", 2],
    ]);
    expect(meta.covariateTypes).toEqual([
      { name: "WT", kind: "continuous", doc: "kg" },
      { name: "SEX", kind: "categorical", reference: "F", doc: "sex" },
      { name: "DIET", kind: "categorical" },
    ]);
    const wt = k.covariateEffects![0]!;
    if (wt.kind !== "continuous") throw new Error("expected a continuous effect");
    expect(wt.text).toBe("log(WT / WT_ref)");
    expect(wt.value(Float64Array.of(35, 0, 0))).toBeCloseTo(Math.log(0.5), 14);
  });

  it("generated value code equals the IR interpreter", () => {
    const next = seeded(13);
    const effects = [...ir.parameters, ...forced.parameters]
      .flatMap((p) => p.covariateEffects ?? [])
      .filter((e): e is CovariateEffectIr & { kind: "continuous" } => e.kind === "continuous");
    expect(effects.length).toBe(4);
    for (const [source, e] of effects.map((e, i) => [i < 2 ? ir : forced, e] as const)) {
      const generated = (0, eval)(covariateValueCode(source, e)) as (cov: Float64Array) => number;
      const interpreted = buildMeta(source).parameters.flatMap((p) => p.covariateEffects ?? []).find((x) => x.name === e.name)!;
      if (interpreted.kind !== "continuous") throw new Error("kind changed");
      for (let n = 0; n < 20; n++) {
        const cov = Float64Array.from(source.covariates, () => 20 + 80 * next());
        expect(generated(cov)).toBe(interpreted.value(cov));
      }
    }
  });

  it("the emitted module writes the effects as code", async () => {
    const text = await emitModule(ir);
    expect(text).toContain("value: (cov) => Math.log(cov[0] / 70)");
    expect(text).toContain('{ kind: "categorical", name: "beta_k_SEX", covariate: 1 }');
    expect(text).toContain('text: "WT - 70"');
  });
});
