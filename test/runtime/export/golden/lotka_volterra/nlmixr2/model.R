# lotka_volterra: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Observation rows name their endpoint with DVID 1..2 (order below) or CMT.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.
# note: x(0): estimated in Monolix as x0 (random, logNormal); start from the data of 50 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: y(0): estimated in Monolix as y0 (random, logNormal); start from the data of 50 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)

lotka_volterra <- function() {
  ini({
    ta <- 0.71; label("prey growth rate, 1/day")
    tb <- 0.296; label("predation rate")
    tc <- 0.252; label("predator growth per prey eaten")
    td <- 0.605; label("predator death rate, 1/day")
    tx0 <- log(1.97915); label("initial value of x at t_0")
    ty0 <- log(1.09686); label("initial value of y at t_0")
    eta.a ~ 0.010404
    eta.b ~ 0.002209
    eta.c ~ 0.001296
    eta.d ~ 0.007744
    eta.x0 ~ 0.0363496
    eta.y0 ~ 0.032972
    prop.sd.prey <- 0.05
    prop.sd.predator <- 0.052
  })
  model({
    a <- ta + eta.a
    b <- tb + eta.b
    c <- tc + eta.c
    d <- td + eta.d
    x0 <- exp(tx0 + eta.x0)
    y0 <- exp(ty0 + eta.y0)
    x(0) <- x0
    y(0) <- y0
    d/dt(x) <- a * x - b * x * y
    d/dt(y) <- c * x * y - d * y
    prey_pred <- x
    prey_pred ~ prop(prop.sd.prey) | x
    predator_pred <- y
    predator_pred ~ prop(prop.sd.predator) | y
  })
}
