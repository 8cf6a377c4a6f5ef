// Hand-built ModelMeta + FitResult per spec, written from specs/*.nlme, with
// estimates near the truth files in data/ (what a good fit returns), and a
// hand-written right-hand side that the round-trip test uses as the
// reference model (independent of the exported text).
import type { CompiledModel, Env, ModelMeta } from "../../../src/runtime/model.js";
import type { FitResult, ParameterEstimate } from "../../../src/runtime/fit-result.js";

export interface ExportFixture {
  meta: ModelMeta;
  fit: FitResult;
  /** Data file under data/. */
  dataFile: string;
  /** Reference f(x, theta, t, env) in meta.parameters order (dictionary models: over meta.parameters too). */
  rhs: (x: Float64Array, theta: Float64Array, t: number, env: Env, out: Float64Array) => void;
  /** Fixed RK4 step for the round trip. */
  step: number;
}

export function baseMeta(
  partial: Partial<ModelMeta> & Pick<ModelMeta, "name" | "states" | "parameters" | "observations" | "equations">,
): ModelMeta {
  return {
    time: { name: "t" },
    constants: {},
    covariates: [],
    derived: [],
    covariance: [],
    doses: [],
    dictionaries: [],
    equationParams: partial.states.map(() => []),
    ...partial,
  };
}

export function baseFit(
  model: string,
  subjects: number,
  parameters: Record<string, ParameterEstimate>,
  residual: FitResult["residual"],
): FitResult {
  const names = Object.keys(parameters).filter((n) => parameters[n]!.omega !== null);
  return {
    model,
    subjects,
    seconds: 0.01,
    parameters,
    omegaCorrelation: {},
    residual,
    individual: {},
    derived: {},
    omega: { names, matrix: names.map((a) => names.map((b) => (a === b ? parameters[a]!.omega! ** 2 : 0))) },
    unidentifiable: [],
    notes: [],
    settings: { fixture: true },
  };
}

export const est = (estimate: number, omega: number | null, se: number | null = null): ParameterEstimate => ({
  estimate,
  se,
  omega,
});

/** A CompiledModel with only what `simulateSubject` needs for dopri5 with a numeric Jacobian. */
export function referenceModel(f: ExportFixture): CompiledModel {
  const meta = f.meta;
  const unused = () => {
    throw new Error("not part of the reference model");
  };
  return {
    meta,
    nStates: meta.states.length,
    nParams: meta.parameters.length,
    dictionary: unused,
    drift: unused,
    dictionaryJacobian: unused,
    driftJacobian: unused,
    observedDictionary: unused,
    observedDrift: unused,
    rhs: f.rhs,
    observe(x, out) {
      meta.observations.forEach((o, i) => {
        const v = x[o.state]!;
        out[i] =
          o.transform === "identity"
            ? v
            : o.transform === "log"
              ? Math.log(v)
              : o.transform === "log10"
                ? Math.log10(v)
                : o.transform === "exp"
                  ? Math.exp(v)
                  : (o.scale ?? 1) * v + (o.offset ?? 0);
      });
    },
    invert: unused,
    derived: unused,
  };
}
