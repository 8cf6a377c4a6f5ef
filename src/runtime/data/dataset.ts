// The data set after loading: what the estimator, simulator and exporters read.
// Produced by `load-data.ts` from a long NLME CSV (ID, TIME, DV, OBSID, AMT, EVID, MDV, CENS, covariates).

export interface Dose {
  time: number;
  /** Amount from AMT (1 when the row has none). */
  amount: number;
  /** Administration id (ADM/CMT column) when the data has one, else 1. */
  adm: number;
  /**
   * An infusion (RATE or DUR column, NONMEM/Monolix convention): the amount enters at a constant rate over
   * `duration` from `time` (zero-order input into the dosed state) instead of all at once. `rate` = amount / duration.
   */
  rate?: number;
  duration?: number;
  /**
   * A steady-state dose (SS=1 with the interval II, NONMEM/Monolix convention): the state just before it is reset to
   * the steady state reached by this dose given every `interval` for ever, earlier doses forgotten; the dose itself
   * then applies as usual. Absent: an ordinary dose.
   */
  steadyState?: { interval: number };
}

export interface Series {
  /** Observation name as in the spec's `observe` block (matched to OBSID). */
  output: string;
  /** Strictly non-decreasing sampling times. */
  times: Float64Array;
  values: Float64Array;
  /** 1 where the value is censored (CENS != 0): below the limit of quantification. */
  censored?: Uint8Array;
  /** LIMIT column (other bound of a censored value), NaN where none; present only when the series has one. */
  limit?: Float64Array;
}

export interface Subject {
  id: string;
  /** One series per observation of the spec, in `meta.observations` order; empty series when none. */
  series: Series[];
  /** In time order. */
  doses: Dose[];
  /**
   * Covariate values, in `meta.covariates` order (first non-missing value of the subject); for a categorical
   * covariate, its level's code: the index of the subject's label in `Dataset.levels[name]` (0 = the reference).
   */
  covariates: Float64Array;
}

export interface Dataset {
  file: string;
  outputs: string[];
  covariates: string[];
  subjects: Subject[];
  /** Per categorical covariate, its levels as the data write them, the reference first (code order); absent: none. */
  levels?: Record<string, string[]>;
  /** Things accepted but worth telling the user (e.g. dose rows ignored by a model without doses). */
  warnings?: string[];
}

/** A problem with input data: names the file, line and column, and says what to do. */
export class DataError extends Error {
  /** Stable kind of problem (e.g. `missing-column`): tests and tools match on it, not on wording. */
  code?: string;
  /** When several problems were collected: all of them (this error is the first), at most a few. */
  problems?: DataError[];
  /** How many problems were found in all (may exceed `problems.length`). */
  problemCount?: number;
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
    readonly help?: string,
  ) {
    super(
      `${file}${line !== undefined ? `:${line}` : ""}${column ? ` (column ${column})` : ""}: ${message}` +
        (help ? `\nhelp: ${help}` : ""),
    );
    this.name = "DataError";
  }
}
