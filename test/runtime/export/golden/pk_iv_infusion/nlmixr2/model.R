# pk_iv_infusion: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Infusions: a DUR (or RATE) column on the dose rows; f() below scales their rate like a bolus.
# Each administration is one EVID=1 row per dosed state (CMT = C) with the AMT of the dose.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.

pk_iv_infusion <- function() {
  ini({
    tV <- log(19.6116); label("volume of distribution, L")
    tke <- log(0.295918); label("elimination rate, 1/h")
    eta.V ~ 0.0392207
    eta.ke ~ 0.027399
    prop.sd <- 0.1
  })
  model({
    V <- exp(tV + eta.V)
    ke <- exp(tke + eta.ke)
    C(0) <- 0
    d/dt(C) <- -ke * C
    f(C) <- 1/V
    conc_pred <- C
    conc_pred ~ prop(prop.sd)
  })
}
