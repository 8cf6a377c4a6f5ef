# pk_3cmt_iv: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Infusions: a DUR (or RATE) column on the dose rows; f() below scales their rate like a bolus.
# Each administration is one EVID=1 row per dosed state (CMT = C) with the AMT of the dose.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.

pk_3cmt_iv <- function() {
  ini({
    tV <- log(10); label("central volume, L")
    tk10 <- log(0.3); label("elimination rate, 1/h")
    tk12 <- log(0.6); label("central to shallow peripheral rate, 1/h")
    tk21 <- log(0.4); label("shallow peripheral to central rate, 1/h")
    tk13 <- log(0.1); label("central to deep peripheral rate, 1/h")
    tk31 <- log(0.02); label("deep peripheral to central rate, 1/h")
    eta.V ~ 0.04
    eta.k10 ~ 0.04
    eta.k12 ~ 0.04
    eta.k21 ~ 0.04
    prop.sd <- 0.1
  })
  model({
    V <- exp(tV + eta.V)
    k10 <- exp(tk10 + eta.k10)
    k12 <- exp(tk12 + eta.k12)
    k21 <- exp(tk21 + eta.k21)
    k13 <- exp(tk13)
    k31 <- exp(tk31)
    C(0) <- 0
    P2(0) <- 0
    P3(0) <- 0
    d/dt(C) <- -(k10 + k12 + k13) * C + k21 * P2 + k31 * P3
    d/dt(P2) <- k12 * C - k21 * P2
    d/dt(P3) <- k13 * C - k31 * P3
    f(C) <- 1/V
    conc_pred <- C
    conc_pred ~ prop(prop.sd)
  })
}
