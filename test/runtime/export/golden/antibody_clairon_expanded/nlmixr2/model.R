# antibody_clairon: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Administrations carry no amount into a state: give each one EVID=1 row with AMT=0 (any CMT);
# they only mark the dose times read by tad0() and dosenum().
# Integration starts at t = 0 (Monolix t_0); the data should start there too.

antibody_clairon <- function() {
  ini({
    ttheta <- log(18.6349); label("antibody production per cell")
    tfM2 <- log(4.8704); label("strength of the second dose, relative to the first")
    tdelta_Ab <- 0.0302; label("antibody decay, 1/day")
    eta.theta ~ 0.257935
    eta.fM2 ~ 0.450225
    add.sd <- 0.104
  })
  model({
    theta <- exp(ttheta + eta.theta)
    fM2 <- exp(tfM2 + eta.fM2)
    delta_Ab <- tdelta_Ab
    delta_V <- 2.7
    delta_S <- 0.01
    dose_is_1 <- 0
    if (dosenum() == 1) {
      dose_is_1 <- 1
    }
    dose_is_2 <- 0
    if (dosenum() == 2) {
      dose_is_2 <- 1
    }
    S(0) <- 1
    Ab(0) <- 0.5
    d/dt(S) <- (1 * dose_is_1 + fM2 * dose_is_2) * exp(-delta_V * tad0()) - delta_S * S
    d/dt(Ab) <- theta * S - delta_Ab * Ab
    log10_Ab_pred <- log10(max(Ab, 1e-300))
    log10_Ab_pred ~ add(add.sd)
  })
}
