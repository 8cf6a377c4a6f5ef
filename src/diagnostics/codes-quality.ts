import type { CodeInfo } from "./codes.js";

/**
 * N5xxx: findings of the quality check of a fit (src/runtime/quality). The runtime names them by their kebab-case
 * `code` (it depends on no compiler module); `quality` maps each to its number here, and `nlme explain` takes either.
 */
export const qualityCodeNumbers: Record<string, string> = {
  "poor-fit": "N5001",
  "subjects-poorly-fit": "N5002",
  "prediction-diverges": "N5003",
  "simulation-failed": "N5004",
  "prediction-unavailable": "N5005",
  "wrong-sign": "N5006",
  "negative-decay": "N5007",
  "at-search-bound": "N5008",
  "few-rows": "N5009",
};

export const qualityCodes: Record<string, CodeInfo> = {
  N5001: {
    title: "poor-fit: the individual predictions do not describe the data",
    explanation:
      "After every fit each subject's ODE is solved with its own estimates and compared with its observations in units of " +
      "the residual error (standardised residuals, IWRES = (y - f) / sd(f)). When the model and the error model hold, their " +
      "RMS is about 1. Above 5 for the median subject the fit does not describe the data (a warning); between 2 and 5 a " +
      "note says the individual estimates are approximate. Right models on seeded simulations of every bundled example gave " +
      "0.8-3.6, wrong models 18 and more (docs/quality.md). Look at the individual fits in the report (`--report`): a wrong " +
      "structural model, a wrong error model or too few samples per subject show there.",
  },
  N5002: {
    title: "subjects-poorly-fit: some subjects' predictions are far from their data",
    explanation:
      "Subjects whose RMS standardised residual exceeds 5 are named. While they are the exception (40% of the subjects or " +
      "fewer) this is a note: outliers, data errors, or subjects the model does not hold for. Above that share it is a warning.",
  },
  N5003: {
    title: "prediction-diverges: a subject's prediction runs away",
    explanation:
      "The prediction goes beyond ten times the subject's largest observation (one decade on a log10 scale), or leaves the " +
      "domain of the observation (the log of a negative value). Usually a rate or decay of the wrong sign: see N5007. A " +
      "warning when more than 10% of the subjects are concerned, a note naming them otherwise.",
  },
  N5004: {
    title: "simulation-failed: the ODE could not be solved with a subject's estimates",
    explanation:
      "The solver gave up (step-size underflow, step budget, non-finite values): the estimates make the ODE blow up or too " +
      "stiff. The subjects are named; a warning when more than 10% of them are concerned.",
  },
  N5005: {
    title: "prediction-unavailable: a subject could not be checked",
    explanation:
      "No individual prediction could be made (no individual estimates, no start value for a state, an unknown dose amount), " +
      "or doses before the first observation were left out because the prediction starts there. A note: the fit itself is " +
      "not affected, only its check. Declaring the initial states in `constants` lets the prediction start at time 0.",
  },
  N5006: {
    title: "wrong-sign: a positive parameter estimated zero or negative",
    explanation:
      "The spec makes the parameter positive (a log-normal or logit-normal distribution, declared or the exports' default for " +
      "a random parameter), but its population value, or more than 10% of the individual values, are not. A few individual " +
      "values below zero are a note naming the subjects.",
  },
  N5007: {
    title: "negative-decay: a decay estimated negative",
    explanation:
      "The parameter multiplies a term of a state's equation that falls as the state rises (`- k * H`, `- q * C^2`, " +
      "`- b * x * y`): a decay or loss. Estimated negative, the term feeds the state's own growth and the ODE runs away. It " +
      "is found from the model's Jacobian, not from the name. On sparse data (one weak-form row per subject) the estimator " +
      "can return such a value; declare the parameter positive (`~ lognormal`) and add samples, or check the model.",
  },
  N5008: {
    title: "at-search-bound: a searched rate ended at a bound",
    explanation:
      "Rates found by a bounded one-dimensional search (a latent absorption rate, the observed state's decay) that end within " +
      "one grid step of a bound are set by the bound, not the data. A warning when more than half of the searched subjects " +
      "are concerned. Sample where the rate acts, or fix it in `constants` if it is known.",
  },
  N5009: {
    title: "few-rows: fewer regression rows than coefficients per subject",
    explanation:
      "Each subject gives less than one row of the regression (weak-form, integral or exponential) per estimated coefficient: " +
      "its rows cannot determine its own parameters and the population values rest on few, noisy rows. More samples per " +
      "subject, or fewer random effects.",
  },
};
