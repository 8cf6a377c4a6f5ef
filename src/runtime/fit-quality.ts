// What the quality check of a fit produces: the `quality` section of a
// FitResult (and of fit.json). Plain JSON, like the rest of the FitResult:
// null where a figure is not available, never NaN.

/** How a finding is meant: a warning says the fit should not be used as it is; a note is context. */
export type QualitySeverity = "warning" | "note";

export interface QualityFinding {
  /** Stable name of the problem (tests and tools match on it, not on the wording). */
  code: QualityCode;
  severity: QualitySeverity;
  message: string;
  /** What to try. */
  hint: string;
  /** The subjects concerned, when the finding is about some of them (at most a few listed in the message). */
  subjects?: string[];
  /** The parameters concerned. */
  parameters?: string[];
}

export type QualityCode =
  | "poor-fit"
  | "subjects-poorly-fit"
  | "prediction-diverges"
  | "simulation-failed"
  | "prediction-unavailable"
  | "wrong-sign"
  | "negative-decay"
  | "at-search-bound"
  | "few-rows";

export interface SubjectQuality {
  id: string;
  /** Uncensored observations compared with the prediction. */
  observations: number;
  /** Root mean square of the standardised residuals (y - f) / sd(f), sd from the fit's residual error model. */
  rmsIwres: number | null;
  /** Share of observations with |standardised residual| > 3. */
  shareAbove3: number | null;
  maxAbsIwres: number | null;
  /** The prediction left the data's range by more than the divergence factor. */
  diverges: boolean;
  /** Why there is no prediction, when there is none. */
  problem?: string;
}

export interface QualitySummary {
  subjects: number;
  /** Subjects with an individual prediction at every observation. */
  predicted: number;
  /** Median over subjects of their RMS standardised residual (1 when the model and the error model hold). */
  medianRmsIwres: number | null;
  /** Share of all compared observations with |standardised residual| > 3 (0.27% for normal errors). */
  shareAbove3: number | null;
  /** Subjects whose RMS standardised residual exceeds the per-subject threshold. */
  poorlyFit: number;
  /** Weak-form/integral rows per estimated coefficient and subject, from the fit's settings (null when not recorded). */
  rowsPerParameter: number | null;
  /** Observations per subject (median). */
  observationsPerSubject: number;
  /** "ok" when no finding is a warning. */
  verdict: "ok" | "warnings";
}

export interface FitQuality {
  summary: QualitySummary;
  /** Warnings first, then notes. */
  findings: QualityFinding[];
  subjects: SubjectQuality[];
  /** The thresholds the verdict used (see thresholds.ts for how they were calibrated). */
  thresholds: Record<string, number>;
  /** Time spent on the check (one ODE solve per subject), seconds. */
  seconds: number;
}
