// Options of `fit`, shared by the dense and the latent-state estimators.
import type { SmoothOptions } from "../rows/smooth.js";
import type { LatentRowOptions } from "../rows/latent-rows.js";
import type { SmootherChoice } from "../rows/shared-curves.js";

export interface FitOptions extends LatentRowOptions {
  /**
   * Dense path: the rows of each subject, "auto" (default: integral rows for a
   * subject whose sampling allows only one level of test functions on some
   * output, test-function rows otherwise; see rows/integral-rows.ts chooseRowForm),
   * or one form for all.
   */
  rowForm?: "auto" | "weak" | "integral";
  /** Integral rows: the data curve inside the integrals (default "pchip"). */
  integralCurve?: "pchip" | "smoother";
  /** Integral rows: a second population pass on rows whitened at the first pass's individual values (default true). */
  whitenIntegral?: boolean;
  /** WENDy-style iteratively re-weighted pass (default false). */
  reweight?: boolean;
  /** Re-weighting iterations (default 3). */
  reweightIterations?: number;
  smoothing?: SmoothOptions;
  /**
   * Dense path: the curve smoother, "auto" (default: the shared smoother that borrows strength across subjects for
   * outputs sampled sparsely on a common design, see rows/shared-curves.ts; the per-subject P-spline otherwise),
   * "subject" or "shared".
   */
  smoother?: SmootherChoice;
  /**
   * For proportional/combined outputs, refit each curve once with weights
   * 1/fitted^2 so that the smoother sees the heteroscedastic noise (default true).
   */
  weightedSmoothing?: boolean;
  /** Called with (done, total) as subjects are processed. */
  onProgress?: (done: number, total: number) => void;
  /** Integral form: passes of re-weighting by the fitted levels (default 3). */
  integralPasses?: number;
  /** Latent-state models: bounds of the outer search over an estimated latent rate, or over the observed state's decay in the exponential form (default from the sampling, see fitLatent). */
  rateBounds?: [number, number];
  /** Latent-state models: random-effect blocks of product coefficients (theta*fM2): joined with their factors in a full block (default) or diagonal. */
  productBlocks?: "full" | "diagonal";
}
