// Where the quality check draws its lines. Under a right model and error model
// the standardised residuals are about N(0, 1); these thresholds leave room for
// what the check itself adds (the start state read off a noisy first
// observation, the residual SD estimated from a smoother) and were set from
// seeded simulations of every bundled example (see docs/quality.md for the
// measured figures and how to reproduce them).
export const THRESHOLDS = {
  /**
   * Median over subjects of the RMS standardised residual above which the fit does not describe the data
   * (a warning). Right models gave 0.8-1.7 (3.6 at most, oral PK, whose individual estimates are approximate);
   * wrong models 18-58.
   */
  medianRms: 5,
  /** Above this (and up to `medianRms`) a note says the individual predictions are approximate. */
  medianRmsNote: 2,
  /** A subject whose RMS standardised residual exceeds this is poorly fitted. */
  subjectRms: 5,
  /** Share of poorly fitted subjects above which that is a warning (below: a note naming them). */
  subjectShare: 0.4,
  /** Share of subjects whose prediction runs away or cannot be solved above which that is a warning. */
  failureShare: 0.1,
  /** Share of subjects with a wrong-sign individual value above which that is a warning. */
  wrongSignShare: 0.1,
  /** Share of searched subjects at a search bound above which that is a warning. */
  boundShare: 0.5,
  /** Rows per coefficient and subject below which that is a warning. */
  rowsPerParameter: 1,
} as const;

export type Thresholds = { -readonly [K in keyof typeof THRESHOLDS]: number };
