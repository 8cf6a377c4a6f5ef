// Model forms the checker accepts and the estimator does not fit yet (issue 13):
// doses scaled by a coefficient (`C += amt / V`), parameters estimated as their
// reciprocal, and latent states solved as convolutions of observed states. The
// metadata that describes them is in model.ts (`coefficient`, `estimatedAs`,
// `convolution`); until the estimator reads it, a fit refuses such a model
// rather than returning coefficients that look like estimates and are not.
import type { Dataset } from "../data/dataset.js";
import type { ModelMeta } from "../model.js";

/** A model the estimator cannot fit yet: the user's model is valid, the product lacks the method. */
export class UnsupportedModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedModelError";
  }
}

/** The forms of `meta` the estimator does not handle yet, in words (empty when it can be fitted). */
export function unfittableForms(meta: ModelMeta): string[] {
  const out: string[] = [];
  // Doses scaled by a coefficient into an observed state are regressors of the exponential rows (fit-latent.ts);
  // into a latent state, or scaled by a number only, not yet.
  const scaled = meta.doses.filter((d) => d.kind === "jump" && d.coefficient !== undefined && d.coefficient.param === undefined);
  const byParam = scaled.filter((d) => d.kind === "jump" && d.coefficient?.param !== undefined);
  const into = (list: typeof scaled) => list.map((d) => meta.states[(d as { state: number }).state]!.name).join(", ");
  if (byParam.length) out.push(`doses scaled by an estimated parameter into a latent state (into ${into(byParam)})`);
  if (scaled.length > byParam.length) out.push(`doses scaled by a number (into ${into(scaled.filter((d) => !byParam.includes(d)))})`);
  const convolution = meta.states.filter((s) => s.convolution);
  if (convolution.length) out.push(`latent states driven by observed states (${convolution.map((s) => s.name).join(", ")})`);
  return out;
}

/** Every dose is a regressor of the exponential rows (a scaled jump into an observed state), where an infusion is integrated exactly. */
function infusionsFitted(meta: ModelMeta): boolean {
  const jumps = meta.doses.filter((d) => d.kind === "jump");
  return jumps.length > 0 && jumps.every((d) => d.kind === "jump" && d.coefficient?.param !== undefined && !meta.states[d.state]!.latent);
}

export function assertFittable(meta: ModelMeta, data?: Dataset): void {
  const forms = unfittableForms(meta);
  // An infusion fitted as a bolus at its start would be silently wrong.
  const infused = infusionsFitted(meta) ? [] : (data?.subjects.filter((s) => s.doses.some((d) => d.duration !== undefined)) ?? []);
  if (infused.length) forms.push(`infusions (RATE/DUR in the data: ${infused.length} subject${infused.length === 1 ? "" : "s"}, e.g. ${infused[0]!.id})`);
  if (forms.length === 0) return;
  throw new UnsupportedModelError(
    `model ${meta.name} checks and compiles, but the estimator does not fit ${forms.join("; ")} yet; ` +
      "simulation (`nlme simulate`) works",
  );
}
