# ebola_pasin: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Each administration is one EVID=1 row per dosed state (CMT = S, L) with the AMT of the dose.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.
# note: S(t_0) = 0: latent state without a declared initial value (it is filled by doses)
# note: L(t_0) = 0: latent state without a declared initial value (it is filled by doses)
# note: Ab(0): estimated in Monolix as Ab0 (random, logNormal); start from the data of 60 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)

ebola_pasin <- function() {
  ini({
    ttheta_S <- log(565.684)
    ttheta_L <- log(3.40397)
    tdelta_Ab <- 0.0247
    tAb0 <- log(11.1269); label("initial value of Ab at t_0")
    eta.theta_S + eta.theta_L ~ c(0.11111, 0.0425032, 0.123063)
    eta.Ab0 ~ 0.249725
    add.sd <- 0.112
  })
  model({
    theta_S <- exp(ttheta_S + eta.theta_S)
    theta_L <- exp(ttheta_L + eta.theta_L)
    delta_Ab <- tdelta_Ab
    Ab0 <- exp(tAb0 + eta.Ab0)
    delta_S <- 0.231
    delta_L <- 0.000152
    S(0) <- 0
    L(0) <- 0
    Ab(0) <- Ab0
    d/dt(S) <- -delta_S * S
    d/dt(L) <- -delta_L * L
    d/dt(Ab) <- theta_S * S + theta_L * L - delta_Ab * Ab
    log10_titre_pred <- log10(max(Ab, 1e-300))
    log10_titre_pred ~ add(add.sd)
  })
}
