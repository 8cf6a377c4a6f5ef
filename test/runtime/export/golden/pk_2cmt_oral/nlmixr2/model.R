# pk_2cmt_oral: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Infusions: a DUR (or RATE) column on the dose rows; f() below scales their rate like a bolus.
# Each administration is one EVID=1 row per dosed state (CMT = Ad) with the AMT of the dose.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.

pk_2cmt_oral <- function() {
  ini({
    tka <- log(1.2); label("absorption rate, 1/h")
    tV <- log(20); label("central volume, L")
    tk10 <- log(0.15); label("elimination rate, 1/h")
    tk12 <- log(0.3); label("central to peripheral rate, 1/h")
    tk21 <- log(0.1); label("peripheral to central rate, 1/h")
    eta.ka ~ 0.04
    eta.V ~ 0.04
    eta.k10 ~ 0.04
    prop.sd <- 0.1
  })
  model({
    ka <- exp(tka + eta.ka)
    V <- exp(tV + eta.V)
    k10 <- exp(tk10 + eta.k10)
    k12 <- exp(tk12)
    k21 <- exp(tk21)
    Ad(0) <- 0
    A1(0) <- 0
    A2(0) <- 0
    d/dt(Ad) <- -ka * Ad
    d/dt(A1) <- ka * Ad - (k10 + k12) * A1 + k21 * A2
    d/dt(A2) <- k12 * A1 - k21 * A2
    f(Ad) <- 1/V
    conc_pred <- A1
    conc_pred ~ prop(prop.sd)
  })
}
