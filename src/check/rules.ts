// The checker's passes, in stages. A stage runs every rule (so independent
// errors are all reported); the next stage runs only when this one found no
// errors, so structure analysis never sees a name that does not resolve.
import type { Stage } from "./context.js";
import { reportDuplicateDeclarations } from "./report-duplicate-declarations.js";
import { reportReservedNames } from "./report-reserved-names.js";
import { reportUnknownNames } from "./report-unknown-names.js";
import { reportBuiltinCalls } from "./report-builtin-calls.js";
import { reportIndexUsage } from "./report-index-usage.js";
import { reportDoseUsage } from "./report-dose-usage.js";
import { reportConstants } from "./report-constants.js";
import { reportDerived } from "./report-derived.js";
import { reportDictionaries } from "./report-dictionaries.js";
import { reportRandomEffects } from "./report-random-effects.js";
import { reportMonolix } from "./report-monolix.js";
import { reportParameterDistributions } from "./report-parameter-distributions.js";
import { reportCovariateEffects } from "./report-covariate-effects.js";
import { reportPenalties } from "./report-penalties.js";
import { reportMissingEquations } from "./report-missing-equations.js";
import { expandLoops } from "./expand-loops.js";
import { analyseLinearity } from "./analyse-linearity.js";
import { reportLatentStates } from "./report-latent-states.js";
import { reportObservations } from "./report-observations.js";
import { reportUnusedParameters } from "./report-unused-parameters.js";
import { rewriteConcentrations } from "./rewrite-concentrations.js";
import { findReciprocals } from "./find-reciprocals.js";
import { analyseDoses } from "./analyse-doses.js";

export const stages: Stage[] = [
  {
    name: "names",
    rules: [
      reportDuplicateDeclarations,
      reportReservedNames,
      reportUnknownNames,
      reportBuiltinCalls,
      reportIndexUsage,
      reportDoseUsage,
      reportConstants,
      reportDerived,
      reportDictionaries,
      reportRandomEffects,
      reportMonolix,
      reportParameterDistributions,
      reportCovariateEffects,
      reportPenalties,
      reportMissingEquations,
    ],
  },
  {
    name: "structure",
    rules: [
      expandLoops,
      rewriteConcentrations,
      findReciprocals,
      analyseDoses,
      analyseLinearity,
      reportLatentStates,
      reportObservations,
      reportUnusedParameters,
    ],
  },
];
