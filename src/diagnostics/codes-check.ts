import type { CodeInfo } from "./codes.js";

/** N1xxx names, N2xxx linearity and structure, N3xxx observations. Owned by the check stage. */
export const checkCodes: Record<string, CodeInfo> = {
  N1001: {
    title: "unknown name",
    explanation:
      "An expression uses a name that no section declares. Expressions may use states, constants, covariates, parameters, " +
      "derived quantities, dose vectors (in `dynamics`), the time variable named by `time`, `since_dose` and the index of an " +
      "enclosing `for` loop. When a declared name is spelled similarly it is suggested.",
  },
  N1002: {
    title: "unknown parameter",
    explanation:
      "`random`, `monolix` and `penalty` refer to parameters declared in `parameters`; this name is not one of them. " +
      "Declare it, or fix the spelling (a similar parameter name is suggested when there is one).",
  },
  N1003: {
    title: "unknown state",
    explanation:
      "Equation targets (`d/dt X`), initial values (`X(0) = v`), dose targets (`X += amt`), dictionaries and parameter " +
      "arrays refer to states declared in `states`; this name is not one of them.",
  },
  N1004: {
    title: "unknown dictionary",
    explanation:
      "A parameter array `W[g, Phi]` and a product `W[i, :] . Phi` name a dictionary declared with " +
      "`dictionary Phi = polynomial(...)`; this name is not one.",
  },
  N1005: {
    title: "name declared twice",
    explanation:
      "States, constants, covariates, parameters, derived quantities, dictionaries, dose vectors and the time variable " +
      "share one namespace, so each name is declared once. Observation outputs and initial values are also unique. " +
      "The second declaration is reported, with the first one marked.",
  },
  N1006: {
    title: "loop index hides a declared name",
    explanation:
      "The index of `for i in a..b` is only visible in its equation. Using the name of a state, parameter or constant " +
      "for it would make that name mean two things in one line; pick a fresh name such as `i` or `k`.",
  },
  N1007: {
    title: "reserved word used as a name",
    explanation:
      "Keywords of the language (section names, `latent`, `random`, error models, built-in functions, `since_dose`, ...) " +
      "cannot name anything. The parser usually reports this first (N0010).",
  },
  N1008: {
    title: "derived quantity depends on something that varies",
    explanation:
      "A derived quantity (such as K = r / q) is computed once per subject from the parameters and constants, and " +
      "exported with the estimates. It cannot read states, time, `since_dose`, dose vectors or covariates, and may only " +
      "use derived quantities declared above it.",
  },
  N1009: {
    title: "unknown function",
    explanation: "Only the built-in functions `exp`, `log`, `log10`, `sqrt`, `abs`, `sin` and `cos` can be called.",
  },
  N1010: {
    title: "wrong number of arguments",
    explanation: "Every built-in function takes exactly one argument.",
  },
  N1011: {
    title: "unknown distribution",
    explanation:
      "The `monolix` block says how a parameter is distributed in the exported Monolix project: `logNormal`, `normal` or " +
      "`logitNormal`. Random parameters default to `logNormal`, fixed ones to `normal`.",
  },
  N1012: {
    title: "dose quantity without a `doses` section",
    explanation:
      "`since_dose` is the time since the most recent administration; it only has a meaning when the model declares what " +
      "an administration does in a `doses` section (a jump `X += amt` or a per-dose vector).",
  },
  N1013: {
    title: "`amt` outside a dose jump",
    explanation:
      "`amt` stands for the AMT column of a dose record, known only at the administration. It can only be written as " +
      "`X += amt` in `doses`. For a per-dose factor, declare a vector such as `strength = [1, fM2]`.",
  },
  N1014: {
    title: "index out of range",
    explanation:
      "An indexed state `g[1..40]` has elements 1 to 40. A fixed index outside that range, or a `for` loop whose values " +
      "reach outside it, refers to a state that does not exist.",
  },
  N1015: {
    title: "wrong indexing",
    explanation:
      "An indexed state needs exactly one whole-number index (a number, the loop index, or arithmetic on them); a scalar " +
      "state, a constant or a parameter cannot be indexed. Doses go to scalar states.",
  },
  N1016: {
    title: "constant value not known",
    explanation:
      "Constants and initial values are numbers known before fitting. Their values may use numbers, built-in functions and " +
      "constants declared above them, not parameters, states, time or covariates. Quantities computed from estimated " +
      "parameters belong in `derived`.",
  },
  N1017: {
    title: "name used in the wrong place",
    explanation:
      "The name is declared, but as something that cannot be used here: for example a parameter as a dose target, a " +
      "dictionary as a value, a dose vector outside `dynamics`, or a state in a covariance block.",
  },
  N1018: {
    title: "distribution given twice",
    explanation: "Each parameter has at most one line in the `monolix` block.",
  },
  N1030: {
    title: "unknown distribution of a parameter",
    explanation:
      "In `parameters`, the word after `~` says how a parameter varies between subjects: `lognormal` (a log-normal " +
      "random effect, Monolix's default for rates and volumes; the parameter is positive and estimated on the log " +
      "scale), `normal` (an additive normal random effect, any sign) or `random` (the older spelling of `normal`), " +
      "and `random(selected)` for a dictionary's coefficients. `positive` without `~` is a positive parameter without " +
      "a random effect. The distribution names of the `monolix` block (`logNormal`, `logitNormal`) are not accepted here.",
  },
  N1031: {
    title: "the `monolix` block contradicts the declared distribution",
    explanation:
      "A parameter declared `~ lognormal` or `positive` is log-normal, one declared `~ normal` is normal: that is how " +
      "it is estimated and how the Monolix and nlmixr2 exports write it. The `monolix` block (from before " +
      "distributions were declared in `parameters`) may repeat it but not say otherwise. For a parameter declared " +
      "`~ random` the `monolix` block still chooses the exported distribution.",
  },
  N1032: {
    title: "unknown covariate in a covariate term",
    explanation:
      "A covariate term (`V ~ lognormal + log(WT / 70)`) reads covariates declared in `covariates` (data columns) and " +
      "constants; this name is neither. A covariate with a similar name is suggested when there is one.",
  },
  N1033: {
    title: "a covariate term reads something other than covariates",
    explanation:
      "A covariate term is a function of the subject's covariates, constant over the subject's samples, multiplied by " +
      "its own coefficient `beta_<parameter>_<covariate>` on the parameter's transformed scale (log V for a " +
      "log-normal V). It cannot read parameters, states, the time, derived quantities or dose vectors: a relation " +
      "between parameters belongs in `dynamics` or `derived`, a time-varying effect in `dynamics`.",
  },
  N1034: {
    title: "a covariate term must read exactly one covariate",
    explanation:
      "Each term after a parameter's distribution is one effect, named after its covariate. A term without a " +
      "covariate is a constant the typical value already absorbs; a term with two covariates (an interaction) has no " +
      "one covariate to be named after. Write one term per covariate: `CL ~ lognormal + log(WT / 70) + AGE`.",
  },
  N1035: {
    title: "covariate effects on a parameter array or a selected parameter",
    explanation:
      "Covariate effects enter the population step as fixed effects on scalar parameters declared `~ lognormal` or " +
      "`~ normal`. A dictionary's coefficients (`W[g, Phi] ~ random(selected)`) are chosen by the penalty and cannot " +
      "carry covariate effects.",
  },
  N1036: {
    title: "categorical covariate used as a number",
    explanation:
      "A covariate declared `categorical` has levels (read from the data as labels), not values. Its effect on a " +
      "parameter is written as a term on its own, `r ~ normal + DIET`: one coefficient per level other than the " +
      "reference level (`beta_r_DIET_2`, `beta_r_DIET_3`). It cannot appear inside an expression, in a covariate " +
      "term with other operations, or in `dynamics`, `observe`, `derived` or `doses`. A covariate whose values are " +
      "meaningful numbers is declared without `categorical`.",
  },
  N1037: {
    title: "a covariate has two effects on one parameter",
    explanation:
      "Each covariate has one coefficient per parameter, `beta_<parameter>_<covariate>`, so it appears in at most one " +
      "of the parameter's covariate terms. Keep one term (e.g. `log(WT / 70)` or `WT`, not both).",
  },
  N1038: {
    title: "unknown argument of `categorical`",
    explanation:
      "`categorical` takes one optional argument, `reference = LEVEL` (a quoted label or a number as it appears in the " +
      "data), the level whose effect is zero. Without it the reference is the first level in sorted order.",
  },
  N1039: {
    title: "an initial value's variability that cannot be declared",
    explanation:
      "`H(0) ~ lognormal` (or `~ normal`, or `H(0) positive`) in `parameters` says how the estimated initial value of an " +
      "observed state varies between subjects. It is declared once per state, only for an observed state (a latent " +
      "state without `X(0)` starts at 0), only when `X(0)` is not given in `constants`, and with a distribution and " +
      "covariate terms only (`W(0) ~ lognormal + DIET`: no indices, no `random(selected)`). Without the line an " +
      "estimated initial value has an additive normal random effect.",
  },
  N2001: {
    title: "term is not linear in the parameters",
    explanation:
      "The weak-form estimator needs every right-hand side in the form dX/dt = sum_j theta_j g_j(X, t) + g_0(X, t): each " +
      "estimated parameter multiplies an expression without parameters. Products of parameters, powers of a parameter, " +
      "parameters inside `exp`/`log`/other functions, in exponents or in denominators break this. Fixes: estimate a " +
      "product as one parameter (`ka * ke` -> `kake`), estimate an inverse (`x / V` -> `inv_V * x`), or move a known " +
      "value to `constants`.",
  },
  N2002: {
    title: "state without an equation",
    explanation: "Every state needs one `d/dt` equation in `dynamics` (for an indexed state, one per element, usually with a `for` loop).",
  },
  N2003: {
    title: "state with two equations",
    explanation: "A state has exactly one `d/dt` equation. Combine the right-hand sides into one equation.",
  },
  N2004: {
    title: "latent state cannot be eliminated",
    explanation:
      "A latent state is never measured, so the estimator solves it in closed form: its equation must read " +
      "dS/dt = -k S + f(t) where k is known or a single estimated parameter (searched in an outer loop) and f is made of " +
      "time, `since_dose`, dose vectors, constants, parameters (linearly) and latent states solved before it. A latent " +
      "state driven by observed states is accepted when its input is linear in them with known factors (at most one " +
      "parameter each), `d/dt P = k12 * C - k21 * P`: it is then a convolution of the observed curve (see N2019). A latent " +
      "state that is nonlinear in itself, whose rate combines several parameters or varies in time, that is driven by an " +
      "observed state in any other way, or that forms a cycle with other latent states cannot be eliminated. Observe it, " +
      "or simplify its equation.",
  },
  N2005: {
    title: "product of parameters estimated as one coefficient",
    explanation:
      "After a latent state is eliminated, its solution is a sum of known time functions weighted by parameters (or by " +
      "unknown dose amounts). Where a parameter multiplies the latent state, the products appear: the estimator fits each " +
      "product as its own linear coefficient and maps the estimates back to the original parameters per subject. This " +
      "is a note, not a problem.",
  },
  N2006: {
    title: "latent rate estimated in an outer loop",
    explanation:
      "The decay rate of a latent state is one estimated parameter. For each trial value of that rate the state is " +
      "solved exactly and the rest of the model stays a linear regression; the rate itself is optimised over in an outer " +
      "one-dimensional search (variable projection). This is a note, not a problem.",
  },
  N2007: {
    title: "fixed effect in a covariance block",
    explanation:
      "A covariance block correlates random effects. A parameter declared without `~ random` has none; declare it " +
      "`~ random` or remove it from the block.",
  },
  N2008: {
    title: "parameter in two covariance blocks",
    explanation: "Each random effect belongs to exactly one covariance block, and is listed once in it.",
  },
  N2009: {
    title: "penalty on a parameter that is not a dictionary array",
    explanation:
      "Sparsity penalties select terms of a dictionary: they apply to a parameter array declared as `W[g, Phi]`, not to " +
      "a single parameter.",
  },
  N2010: {
    title: "invalid dictionary",
    explanation:
      "A dictionary is `polynomial(states..., degree = N, constant = true|false)` over declared states, with a whole degree " +
      "of at least 1 (default 1) and an optional constant term (default true). Its terms are every monomial up to " +
      "that degree, C(n + degree, degree) of them over n states, each a coefficient per state: at most 5,000 terms.",
  },
  N2011: {
    title: "parameter not used in the dynamics",
    explanation:
      "Parameters are estimated from the equations they appear in. One that no equation uses cannot be estimated; " +
      "remove it or, if it is known, declare it in `constants`.",
  },
  N2012: {
    title: "invalid parameter array or dictionary product",
    explanation:
      "A parameter array `W[g, Phi]` has one coefficient per state of `g` and term of dictionary `Phi`. It is used only " +
      "as `W[i, :] . Phi` in `dynamics` (one row times the dictionary) and cannot be placed in a covariance block.",
  },
  N2013: {
    title: "invalid penalty",
    explanation:
      "Penalties are `lasso(W, lambda = cv | ebic | NUMBER)` and `spls(W, eta = NUMBER in [0, 1), K = WHOLE NUMBER)`.",
  },
  N2014: {
    title: "more than one penalty",
    explanation: "The estimator applies one sparsity penalty per model.",
  },
  N2015: {
    title: "vector outside `doses`",
    explanation: "A list of values `[a, b, ...]` gives one value per administration and is only allowed in `doses`.",
  },
  N2016: {
    title: "dose amount not known",
    explanation:
      "A dose jump adds a known amount (`amt`, a number or a constant), or `amt` times a known factor and at most one " +
      "estimated parameter: `X += amt / V` (the jump is linear in 1/V, which is estimated; see N2018) or `X += amt * F` " +
      "(bioavailability). A factor with two parameters (`amt * F / V`) is not linear in either: estimate the ratio as one " +
      "parameter (`amt * F_over_V`). A parameter without `amt` would be an amount to estimate per dose: write " +
      "`X += unknown` for one unknown amount per administration, or `X += amt * D` to scale the AMT column.",
  },
  N2017: {
    title: "unused latent state",
    explanation:
      "A latent state that no other equation reads, and that no observation reads, has no influence on the data. " +
      "(A latent state that an observation reads is reported as N3005 instead.)",
  },
  N2018: {
    title: "parameter estimated as its reciprocal",
    explanation:
      "A parameter that appears only as a divisor in the dynamics and the doses (`C += amt / V`, `A / V`) makes every " +
      "term linear in its reciprocal 1/V. The estimator fits 1/V as a linear coefficient (its random effects, too, are " +
      "on that scale) and reports V as its inverse; the exports write V. Derived quantities use V. A parameter that also " +
      "appears outside a denominator is not rewritten, and its divisions are reported as N2001. This is a note, not a " +
      "problem.",
  },
  N2019: {
    title: "latent state solved as a convolution of observed states",
    explanation:
      "A latent state whose equation is linear in itself with one decay rate (known, or one estimated parameter) and " +
      "whose input is linear in observed states, `d/dt P = k12 * C - k21 * P`, is a convolution of the observed curve: " +
      "P(t) = P(t0) e^{-k21 (t - t0)} + k12 ∫ e^{-k21 (t - s)} C(s) ds. For a given k21 it is linear in k12 and in " +
      "P(t0), so the estimator searches k21 in an outer loop (variable projection) and the rest stays a linear " +
      "regression; where P enters another equation (`+ k21 * P`), the searched rate is a known number. Peripheral " +
      "compartments of two- and three-compartment models take this form. This is a note, not a problem.",
  },
  N2999: {
    title: "internal checker error",
    explanation: "The checker failed unexpectedly. This is a bug in weakform-nlme; please report it with the model file.",
  },
  N3001: {
    title: "observation cannot be inverted",
    explanation:
      "The estimator smooths each measured output and maps it back to its state through the inverse of the observation. " +
      "It knows the identity `X`, affine maps `a * X + b` with a known `a` other than 0, `log(X)`, `log10(X)` and " +
      "`exp(X)`. Other functions (`X^2`, `sin(X)`) or several states in one observation cannot be inverted.",
  },
  N3002: {
    title: "observation reads no state",
    explanation: "Each observation measures one state through a transform; an expression without a state measures nothing.",
  },
  N3003: {
    title: "state neither observed nor latent",
    explanation:
      "The estimator needs a smoothed curve of every state it does not eliminate. A state without an observation should " +
      "either be observed or declared `latent` (then it must be eliminable, see N2004).",
  },
  N3004: {
    title: "observation transform not known",
    explanation:
      "Observation transforms are applied before any parameter is estimated, so they may use numbers and constants only: " +
      "no estimated parameters, time, doses or covariates.",
  },
  N3006: {
    title: "observation scaled by a parameter in a model that cannot be rewritten",
    explanation:
      "An observation such as `conc = A / V` divides a state by an estimated parameter, but the estimator maps each " +
      "smoothed output back to its state before any parameter is known. When every equation is linear and homogeneous " +
      "in the states (linear compartments, first-order transfers and eliminations), dividing every state by V leaves " +
      "the equations unchanged, and the model is fitted in concentrations (N3007). That fails here: an equation has a " +
      "term without a state (a zero-order input) or a nonlinear term, a state starts from a known non-zero amount, a " +
      "dose is not given by `amt`, or another observation is not scaled alike. Write the model in concentrations " +
      "yourself: observe the state directly, put the factor on the doses (`X += amt / V`) and on inputs.",
  },
  N3007: {
    title: "states fitted as concentrations",
    explanation:
      "The observation divides an amount by a parameter (`conc = A / V`) and every equation is linear and homogeneous " +
      "in the states, so every state is divided by V: the equations keep their form, the observation reads the state " +
      "directly, and each dose `A += amt` becomes `A += amt / V` (linear in 1/V, see N2018). Estimates and exports " +
      "are those of the concentration model. This is a note, not a problem.",
  },
  N3005: {
    title: "latent state is observed",
    explanation: "A state declared `latent` also has an observation. If it is measured, remove `latent`.",
  },
};
