# pk_oral: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Each administration is one EVID=1 row per dosed state (CMT = Ad) with the AMT of the dose.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.

pk_oral <- function() {
  ini({
    tka <- log(1.40052); label("absorption rate, 1/h")
    tka_over_V <- log(2.94852); label("absorption rate over volume, 1/(h L)")
    tke <- log(0.0801539); label("elimination rate, 1/h")
    eta.ka ~ 0.0831846
    eta.ka_over_V ~ 0.0872529
    eta.ke ~ 0.0210003
    prop.sd <- 0.098
  })
  model({
    ka <- exp(tka + eta.ka)
    ka_over_V <- exp(tka_over_V + eta.ka_over_V)
    ke <- exp(tke + eta.ke)
    Ad(0) <- 0
    C(0) <- 0
    d/dt(Ad) <- -ka * Ad
    d/dt(C) <- ka_over_V * Ad - ke * C
    conc_pred <- C
    conc_pred ~ prop(prop.sd)
  })
}
