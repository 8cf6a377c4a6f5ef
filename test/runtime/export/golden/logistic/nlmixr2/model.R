# logistic: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Integration starts at t = 118 (Monolix t_0); the data should start there too.
# note: C(0): estimated in Monolix as C0 (random, logNormal); start from the data of 30 subjects at t_0 = 118 (median of the first observations, extrapolated to t_0 when later)

logistic <- function() {
  ini({
    tr <- log(0.0030398); label("intrinsic growth rate, 1/day")
    tq <- log(0.0000157079); label("crowding, 1/(mm day)")
    tC0 <- log(41.2597); label("initial value of C at t_0")
    eta.r ~ 0.0392207
    eta.q ~ 0.0368516
    eta.C0 ~ 0.0493349
    prop.sd <- 0.031
  })
  model({
    r <- exp(tr + eta.r)
    q <- exp(tq + eta.q)
    C0 <- exp(tC0 + eta.C0)
    C(0) <- C0
    d/dt(C) <- r * C - q * C^2
    circumference_pred <- C
    circumference_pred ~ prop(prop.sd)
  })
}
