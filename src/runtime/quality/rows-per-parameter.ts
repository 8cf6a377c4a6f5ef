// How much each subject's rows can say about its own parameters: rows of the
// regression (weak-form, integral or exponential) per estimated coefficient
// and subject. Below one, a subject's rows cannot determine its own
// coefficients: its individual values are the population's, shrunk, and the
// population values rest on few, noisy rows (one weak-form row per tree on a
// 6-sample growth study gave a negative growth rate).
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";

/** Rows per coefficient and subject, or null when the fit did not record its rows. */
export function rowsPerParameter(model: CompiledModel, fit: FitResult): number | null {
  const rows = fit.settings["rows"];
  if (typeof rows !== "number" || !(fit.subjects > 0)) return null;
  // Latent-state fits regress coefficients (theta, theta*fM2) rather than the parameters.
  const coefs = fit.settings["coefficients"];
  const searched = ["rateSearch", "decaySearch"].filter((k) => fit.settings[k] && typeof fit.settings[k] === "object").length;
  const p =
    coefs && typeof coefs === "object"
      ? Object.keys(coefs).length
      : fit.terms
        ? Math.max(1, fit.terms.length)
        : model.nParams - searched;
  return rows / fit.subjects / Math.max(1, p);
}
