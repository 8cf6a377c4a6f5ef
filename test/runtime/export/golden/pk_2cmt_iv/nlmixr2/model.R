# pk_2cmt_iv: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Infusions: a DUR (or RATE) column on the dose rows; f() below scales their rate like a bolus.
# Each administration is one EVID=1 row per dosed state (CMT = C) with the AMT of the dose.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.

pk_2cmt_iv <- function() {
  ini({
    tV <- log(9.80581); label("central volume, L/kg")
    tk10 <- log(0.0980581); label("elimination rate, 1/min")
    tk12 <- log(0.294174); label("central to peripheral rate, 1/min")
    tk21 <- log(0.147087); label("peripheral to central rate, 1/min")
    eta.V ~ 0.0392207
    eta.k10 ~ 0.0392207
    eta.k12 ~ 0.0392207
    eta.k21 ~ 0.0392207
    prop.sd <- 0.05
  })
  model({
    V <- exp(tV + eta.V)
    k10 <- exp(tk10 + eta.k10)
    k12 <- exp(tk12 + eta.k12)
    k21 <- exp(tk21 + eta.k21)
    C(0) <- 0
    P(0) <- 0
    d/dt(C) <- -(k10 + k12) * C + k21 * P
    d/dt(P) <- k12 * C - k21 * P
    f(C) <- 1/V
    conc_pred <- C
    conc_pred ~ prop(prop.sd)
  })
}
