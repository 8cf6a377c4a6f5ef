# gene_network: first guesses from weakform-nlme (weak-form estimator), as an nlmixr2 model.
# Data: nlmixr2 event-table columns ID, TIME, DV, AMT, EVID (1 dose, 0 observation), CMT.
# Observation rows name their endpoint with DVID 1..20 (order below) or CMT.
# Integration starts at t = 0 (Monolix t_0); the data should start there too.
# note: dictionary model: only the 80 selected terms are exported, as explicit equations
# note: g1(0): estimated in Monolix as g1_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g2(0): estimated in Monolix as g2_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g3(0): estimated in Monolix as g3_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g4(0): estimated in Monolix as g4_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g5(0): estimated in Monolix as g5_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g6(0): estimated in Monolix as g6_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g7(0): estimated in Monolix as g7_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g8(0): estimated in Monolix as g8_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g9(0): estimated in Monolix as g9_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g10(0): estimated in Monolix as g10_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g11(0): estimated in Monolix as g11_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g12(0): estimated in Monolix as g12_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g13(0): estimated in Monolix as g13_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g14(0): estimated in Monolix as g14_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g15(0): estimated in Monolix as g15_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g16(0): estimated in Monolix as g16_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g17(0): estimated in Monolix as g17_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g18(0): estimated in Monolix as g18_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g19(0): estimated in Monolix as g19_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)
# note: g20(0): estimated in Monolix as g20_init (random, logNormal); start from the data of 20 subjects at t_0 = 0 (median of the first observations, extrapolated to t_0 when later)

gene_network <- function() {
  ini({
    tW_g1_1 <- 1.14403; label("term 1 of dg1/dt")
    tW_g1_g1 <- -0.902238; label("term g1 of dg1/dt")
    tW_g1_g7 <- -0.328869; label("term g7 of dg1/dt")
    tW_g1_g11 <- 0.363838; label("term g11 of dg1/dt")
    tW_g2_1 <- 1.37042; label("term 1 of dg2/dt")
    tW_g2_g2 <- -0.859256; label("term g2 of dg2/dt")
    tW_g2_g1 <- -0.305517; label("term g1 of dg2/dt")
    tW_g2_g11 <- -0.314328; label("term g11 of dg2/dt")
    tW_g3_1 <- 1.2862; label("term 1 of dg3/dt")
    tW_g3_g3 <- -1.03365; label("term g3 of dg3/dt")
    tW_g3_g13 <- -0.207613; label("term g13 of dg3/dt")
    tW_g3_g18 <- 0.274548; label("term g18 of dg3/dt")
    tW_g4_1 <- 0.731301; label("term 1 of dg4/dt")
    tW_g4_g4 <- -0.833775; label("term g4 of dg4/dt")
    tW_g4_g12 <- -0.279477; label("term g12 of dg4/dt")
    tW_g4_g13 <- -0.361176; label("term g13 of dg4/dt")
    tW_g5_1 <- 0.784781; label("term 1 of dg5/dt")
    tW_g5_g5 <- -0.802042; label("term g5 of dg5/dt")
    tW_g5_g12 <- -0.336295; label("term g12 of dg5/dt")
    tW_g5_g20 <- 0.333581; label("term g20 of dg5/dt")
    tW_g6_1 <- 1.39654; label("term 1 of dg6/dt")
    tW_g6_g6 <- -1.00578; label("term g6 of dg6/dt")
    tW_g6_g12 <- -0.275752; label("term g12 of dg6/dt")
    tW_g6_g20 <- 0.243423; label("term g20 of dg6/dt")
    tW_g7_1 <- 0.503928; label("term 1 of dg7/dt")
    tW_g7_g7 <- -1.00153; label("term g7 of dg7/dt")
    tW_g7_g2 <- 0.340748; label("term g2 of dg7/dt")
    tW_g7_g16 <- 0.261493; label("term g16 of dg7/dt")
    tW_g8_1 <- 1.30369; label("term 1 of dg8/dt")
    tW_g8_g8 <- -1.14381; label("term g8 of dg8/dt")
    tW_g8_g4 <- -0.224494; label("term g4 of dg8/dt")
    tW_g8_g11 <- 0.373085; label("term g11 of dg8/dt")
    tW_g9_1 <- 1.32301; label("term 1 of dg9/dt")
    tW_g9_g9 <- -1.06282; label("term g9 of dg9/dt")
    tW_g9_g10 <- 0.22713; label("term g10 of dg9/dt")
    tW_g9_g19 <- 0.233762; label("term g19 of dg9/dt")
    tW_g10_1 <- 0.955477; label("term 1 of dg10/dt")
    tW_g10_g10 <- -1.01161; label("term g10 of dg10/dt")
    tW_g10_g12 <- -0.240662; label("term g12 of dg10/dt")
    tW_g10_g16 <- 0.382427; label("term g16 of dg10/dt")
    tW_g11_1 <- 0.800485; label("term 1 of dg11/dt")
    tW_g11_g11 <- -0.980442; label("term g11 of dg11/dt")
    tW_g11_g14 <- -0.243774; label("term g14 of dg11/dt")
    tW_g11_g19 <- 0.282291; label("term g19 of dg11/dt")
    tW_g12_1 <- 0.791673; label("term 1 of dg12/dt")
    tW_g12_g12 <- -0.91522; label("term g12 of dg12/dt")
    tW_g12_g7 <- 0.310292; label("term g7 of dg12/dt")
    tW_g12_g15 <- 0.289036; label("term g15 of dg12/dt")
    tW_g13_1 <- 0.74047; label("term 1 of dg13/dt")
    tW_g13_g13 <- -0.800495; label("term g13 of dg13/dt")
    tW_g13_g7 <- 0.278116; label("term g7 of dg13/dt")
    tW_g13_g9 <- -0.210136; label("term g9 of dg13/dt")
    tW_g14_1 <- 0.95256; label("term 1 of dg14/dt")
    tW_g14_g14 <- -0.86716; label("term g14 of dg14/dt")
    tW_g14_g1 <- 0.279933; label("term g1 of dg14/dt")
    tW_g14_g19 <- -0.328094; label("term g19 of dg14/dt")
    tW_g15_1 <- 1.01331; label("term 1 of dg15/dt")
    tW_g15_g15 <- -1.0982; label("term g15 of dg15/dt")
    tW_g15_g2 <- 0.341025; label("term g2 of dg15/dt")
    tW_g15_g10 <- 0.316119; label("term g10 of dg15/dt")
    tW_g16_1 <- 1.03314; label("term 1 of dg16/dt")
    tW_g16_g16 <- -0.86723; label("term g16 of dg16/dt")
    tW_g16_g7 <- 0.383114; label("term g7 of dg16/dt")
    tW_g16_g18 <- 0.359546; label("term g18 of dg16/dt")
    tW_g17_1 <- 1.52023; label("term 1 of dg17/dt")
    tW_g17_g17 <- -0.947311; label("term g17 of dg17/dt")
    tW_g17_g3 <- 0.344597; label("term g3 of dg17/dt")
    tW_g17_g19 <- -0.355602; label("term g19 of dg17/dt")
    tW_g18_1 <- 1.28969; label("term 1 of dg18/dt")
    tW_g18_g18 <- -0.813899; label("term g18 of dg18/dt")
    tW_g18_g1 <- -0.206713; label("term g1 of dg18/dt")
    tW_g18_g13 <- 0.364894; label("term g13 of dg18/dt")
    tW_g19_1 <- 1.10699; label("term 1 of dg19/dt")
    tW_g19_g19 <- -1.10972; label("term g19 of dg19/dt")
    tW_g19_g12 <- 0.342493; label("term g12 of dg19/dt")
    tW_g19_g16 <- 0.248062; label("term g16 of dg19/dt")
    tW_g20_1 <- 1.51873; label("term 1 of dg20/dt")
    tW_g20_g20 <- -0.870643; label("term g20 of dg20/dt")
    tW_g20_g4 <- 0.233786; label("term g4 of dg20/dt")
    tW_g20_g10 <- -0.263861; label("term g10 of dg20/dt")
    tg1_init <- log(1.85197); label("initial value of g1 at t_0")
    tg2_init <- log(2.18995); label("initial value of g2 at t_0")
    tg3_init <- log(2.09732); label("initial value of g3 at t_0")
    tg4_init <- log(2.40945); label("initial value of g4 at t_0")
    tg5_init <- log(2.13835); label("initial value of g5 at t_0")
    tg6_init <- log(2.00369); label("initial value of g6 at t_0")
    tg7_init <- log(1.45448); label("initial value of g7 at t_0")
    tg8_init <- log(2.62895); label("initial value of g8 at t_0")
    tg9_init <- log(1.63384); label("initial value of g9 at t_0")
    tg10_init <- log(2.09239); label("initial value of g10 at t_0")
    tg11_init <- log(2.41817); label("initial value of g11 at t_0")
    tg12_init <- log(2.39858); label("initial value of g12 at t_0")
    tg13_init <- log(1.95249); label("initial value of g13 at t_0")
    tg14_init <- log(2.30292); label("initial value of g14 at t_0")
    tg15_init <- log(1.46468); label("initial value of g15 at t_0")
    tg16_init <- log(1.43388); label("initial value of g16 at t_0")
    tg17_init <- log(1.71147); label("initial value of g17 at t_0")
    tg18_init <- log(2.01564); label("initial value of g18 at t_0")
    tg19_init <- log(1.45783); label("initial value of g19 at t_0")
    tg20_init <- log(1.89448); label("initial value of g20 at t_0")
    eta.W_g1_1 ~ 0.0558235
    eta.W_g2_1 ~ 0.0860923
    eta.W_g3_1 ~ 0.0717672
    eta.W_g4_1 ~ 0.0231933
    eta.W_g5_1 ~ 0.0282357
    eta.W_g6_1 ~ 0.0832012
    eta.W_g7_1 ~ 0.0112584
    eta.W_g8_1 ~ 0.0769829
    eta.W_g9_1 ~ 0.0741934
    eta.W_g10_1 ~ 0.0413172
    eta.W_g11_1 ~ 0.0284384
    eta.W_g12_1 ~ 0.0267222
    eta.W_g13_1 ~ 0.0251294
    eta.W_g14_1 ~ 0.0393888
    eta.W_g15_1 ~ 0.0445021
    eta.W_g16_1 ~ 0.0489447
    eta.W_g17_1 ~ 0.0986306
    eta.W_g18_1 ~ 0.07369
    eta.W_g19_1 ~ 0.0555345
    eta.W_g20_1 ~ 0.0977698
    eta.g1_init ~ 1.4505
    eta.g2_init ~ 0.213115
    eta.g3_init ~ 0.351395
    eta.g4_init ~ 0.687495
    eta.g5_init ~ 0.509656
    eta.g6_init ~ 0.48762
    eta.g7_init ~ 0.788089
    eta.g8_init ~ 1.16736
    eta.g9_init ~ 0.583157
    eta.g10_init ~ 0.521074
    eta.g11_init ~ 1.3082
    eta.g12_init ~ 1.60988
    eta.g13_init ~ 0.68077
    eta.g14_init ~ 0.77551
    eta.g15_init ~ 0.609332
    eta.g16_init ~ 0.888226
    eta.g17_init ~ 1.01965
    eta.g18_init ~ 0.25673
    eta.g19_init ~ 1.33123
    eta.g20_init ~ 1.81655
    prop.sd.g1_ <- 0.05
    prop.sd.g2_ <- 0.05
    prop.sd.g3_ <- 0.05
    prop.sd.g4_ <- 0.05
    prop.sd.g5_ <- 0.05
    prop.sd.g6_ <- 0.05
    prop.sd.g7_ <- 0.05
    prop.sd.g8_ <- 0.05
    prop.sd.g9_ <- 0.05
    prop.sd.g10_ <- 0.05
    prop.sd.g11_ <- 0.05
    prop.sd.g12_ <- 0.05
    prop.sd.g13_ <- 0.05
    prop.sd.g14_ <- 0.05
    prop.sd.g15_ <- 0.05
    prop.sd.g16_ <- 0.05
    prop.sd.g17_ <- 0.05
    prop.sd.g18_ <- 0.05
    prop.sd.g19_ <- 0.05
    prop.sd.g20_ <- 0.05
  })
  model({
    W_g1_1 <- tW_g1_1 + eta.W_g1_1
    W_g1_g1 <- tW_g1_g1
    W_g1_g7 <- tW_g1_g7
    W_g1_g11 <- tW_g1_g11
    W_g2_1 <- tW_g2_1 + eta.W_g2_1
    W_g2_g2 <- tW_g2_g2
    W_g2_g1 <- tW_g2_g1
    W_g2_g11 <- tW_g2_g11
    W_g3_1 <- tW_g3_1 + eta.W_g3_1
    W_g3_g3 <- tW_g3_g3
    W_g3_g13 <- tW_g3_g13
    W_g3_g18 <- tW_g3_g18
    W_g4_1 <- tW_g4_1 + eta.W_g4_1
    W_g4_g4 <- tW_g4_g4
    W_g4_g12 <- tW_g4_g12
    W_g4_g13 <- tW_g4_g13
    W_g5_1 <- tW_g5_1 + eta.W_g5_1
    W_g5_g5 <- tW_g5_g5
    W_g5_g12 <- tW_g5_g12
    W_g5_g20 <- tW_g5_g20
    W_g6_1 <- tW_g6_1 + eta.W_g6_1
    W_g6_g6 <- tW_g6_g6
    W_g6_g12 <- tW_g6_g12
    W_g6_g20 <- tW_g6_g20
    W_g7_1 <- tW_g7_1 + eta.W_g7_1
    W_g7_g7 <- tW_g7_g7
    W_g7_g2 <- tW_g7_g2
    W_g7_g16 <- tW_g7_g16
    W_g8_1 <- tW_g8_1 + eta.W_g8_1
    W_g8_g8 <- tW_g8_g8
    W_g8_g4 <- tW_g8_g4
    W_g8_g11 <- tW_g8_g11
    W_g9_1 <- tW_g9_1 + eta.W_g9_1
    W_g9_g9 <- tW_g9_g9
    W_g9_g10 <- tW_g9_g10
    W_g9_g19 <- tW_g9_g19
    W_g10_1 <- tW_g10_1 + eta.W_g10_1
    W_g10_g10 <- tW_g10_g10
    W_g10_g12 <- tW_g10_g12
    W_g10_g16 <- tW_g10_g16
    W_g11_1 <- tW_g11_1 + eta.W_g11_1
    W_g11_g11 <- tW_g11_g11
    W_g11_g14 <- tW_g11_g14
    W_g11_g19 <- tW_g11_g19
    W_g12_1 <- tW_g12_1 + eta.W_g12_1
    W_g12_g12 <- tW_g12_g12
    W_g12_g7 <- tW_g12_g7
    W_g12_g15 <- tW_g12_g15
    W_g13_1 <- tW_g13_1 + eta.W_g13_1
    W_g13_g13 <- tW_g13_g13
    W_g13_g7 <- tW_g13_g7
    W_g13_g9 <- tW_g13_g9
    W_g14_1 <- tW_g14_1 + eta.W_g14_1
    W_g14_g14 <- tW_g14_g14
    W_g14_g1 <- tW_g14_g1
    W_g14_g19 <- tW_g14_g19
    W_g15_1 <- tW_g15_1 + eta.W_g15_1
    W_g15_g15 <- tW_g15_g15
    W_g15_g2 <- tW_g15_g2
    W_g15_g10 <- tW_g15_g10
    W_g16_1 <- tW_g16_1 + eta.W_g16_1
    W_g16_g16 <- tW_g16_g16
    W_g16_g7 <- tW_g16_g7
    W_g16_g18 <- tW_g16_g18
    W_g17_1 <- tW_g17_1 + eta.W_g17_1
    W_g17_g17 <- tW_g17_g17
    W_g17_g3 <- tW_g17_g3
    W_g17_g19 <- tW_g17_g19
    W_g18_1 <- tW_g18_1 + eta.W_g18_1
    W_g18_g18 <- tW_g18_g18
    W_g18_g1 <- tW_g18_g1
    W_g18_g13 <- tW_g18_g13
    W_g19_1 <- tW_g19_1 + eta.W_g19_1
    W_g19_g19 <- tW_g19_g19
    W_g19_g12 <- tW_g19_g12
    W_g19_g16 <- tW_g19_g16
    W_g20_1 <- tW_g20_1 + eta.W_g20_1
    W_g20_g20 <- tW_g20_g20
    W_g20_g4 <- tW_g20_g4
    W_g20_g10 <- tW_g20_g10
    g1_init <- exp(tg1_init + eta.g1_init)
    g2_init <- exp(tg2_init + eta.g2_init)
    g3_init <- exp(tg3_init + eta.g3_init)
    g4_init <- exp(tg4_init + eta.g4_init)
    g5_init <- exp(tg5_init + eta.g5_init)
    g6_init <- exp(tg6_init + eta.g6_init)
    g7_init <- exp(tg7_init + eta.g7_init)
    g8_init <- exp(tg8_init + eta.g8_init)
    g9_init <- exp(tg9_init + eta.g9_init)
    g10_init <- exp(tg10_init + eta.g10_init)
    g11_init <- exp(tg11_init + eta.g11_init)
    g12_init <- exp(tg12_init + eta.g12_init)
    g13_init <- exp(tg13_init + eta.g13_init)
    g14_init <- exp(tg14_init + eta.g14_init)
    g15_init <- exp(tg15_init + eta.g15_init)
    g16_init <- exp(tg16_init + eta.g16_init)
    g17_init <- exp(tg17_init + eta.g17_init)
    g18_init <- exp(tg18_init + eta.g18_init)
    g19_init <- exp(tg19_init + eta.g19_init)
    g20_init <- exp(tg20_init + eta.g20_init)
    g1(0) <- g1_init
    g2(0) <- g2_init
    g3(0) <- g3_init
    g4(0) <- g4_init
    g5(0) <- g5_init
    g6(0) <- g6_init
    g7(0) <- g7_init
    g8(0) <- g8_init
    g9(0) <- g9_init
    g10(0) <- g10_init
    g11(0) <- g11_init
    g12(0) <- g12_init
    g13(0) <- g13_init
    g14(0) <- g14_init
    g15(0) <- g15_init
    g16(0) <- g16_init
    g17(0) <- g17_init
    g18(0) <- g18_init
    g19(0) <- g19_init
    g20(0) <- g20_init
    d/dt(g1) <- W_g1_1 + W_g1_g1 * g1 + W_g1_g7 * g7 + W_g1_g11 * g11
    d/dt(g2) <- W_g2_1 + W_g2_g2 * g2 + W_g2_g1 * g1 + W_g2_g11 * g11
    d/dt(g3) <- W_g3_1 + W_g3_g3 * g3 + W_g3_g13 * g13 + W_g3_g18 * g18
    d/dt(g4) <- W_g4_1 + W_g4_g4 * g4 + W_g4_g12 * g12 + W_g4_g13 * g13
    d/dt(g5) <- W_g5_1 + W_g5_g5 * g5 + W_g5_g12 * g12 + W_g5_g20 * g20
    d/dt(g6) <- W_g6_1 + W_g6_g6 * g6 + W_g6_g12 * g12 + W_g6_g20 * g20
    d/dt(g7) <- W_g7_1 + W_g7_g7 * g7 + W_g7_g2 * g2 + W_g7_g16 * g16
    d/dt(g8) <- W_g8_1 + W_g8_g8 * g8 + W_g8_g4 * g4 + W_g8_g11 * g11
    d/dt(g9) <- W_g9_1 + W_g9_g9 * g9 + W_g9_g10 * g10 + W_g9_g19 * g19
    d/dt(g10) <- W_g10_1 + W_g10_g10 * g10 + W_g10_g12 * g12 + W_g10_g16 * g16
    d/dt(g11) <- W_g11_1 + W_g11_g11 * g11 + W_g11_g14 * g14 + W_g11_g19 * g19
    d/dt(g12) <- W_g12_1 + W_g12_g12 * g12 + W_g12_g7 * g7 + W_g12_g15 * g15
    d/dt(g13) <- W_g13_1 + W_g13_g13 * g13 + W_g13_g7 * g7 + W_g13_g9 * g9
    d/dt(g14) <- W_g14_1 + W_g14_g14 * g14 + W_g14_g1 * g1 + W_g14_g19 * g19
    d/dt(g15) <- W_g15_1 + W_g15_g15 * g15 + W_g15_g2 * g2 + W_g15_g10 * g10
    d/dt(g16) <- W_g16_1 + W_g16_g16 * g16 + W_g16_g7 * g7 + W_g16_g18 * g18
    d/dt(g17) <- W_g17_1 + W_g17_g17 * g17 + W_g17_g3 * g3 + W_g17_g19 * g19
    d/dt(g18) <- W_g18_1 + W_g18_g18 * g18 + W_g18_g1 * g1 + W_g18_g13 * g13
    d/dt(g19) <- W_g19_1 + W_g19_g19 * g19 + W_g19_g12 * g12 + W_g19_g16 * g16
    d/dt(g20) <- W_g20_1 + W_g20_g20 * g20 + W_g20_g4 * g4 + W_g20_g10 * g10
    g1__pred <- g1
    g1__pred ~ prop(prop.sd.g1_) | g1
    g2__pred <- g2
    g2__pred ~ prop(prop.sd.g2_) | g2
    g3__pred <- g3
    g3__pred ~ prop(prop.sd.g3_) | g3
    g4__pred <- g4
    g4__pred ~ prop(prop.sd.g4_) | g4
    g5__pred <- g5
    g5__pred ~ prop(prop.sd.g5_) | g5
    g6__pred <- g6
    g6__pred ~ prop(prop.sd.g6_) | g6
    g7__pred <- g7
    g7__pred ~ prop(prop.sd.g7_) | g7
    g8__pred <- g8
    g8__pred ~ prop(prop.sd.g8_) | g8
    g9__pred <- g9
    g9__pred ~ prop(prop.sd.g9_) | g9
    g10__pred <- g10
    g10__pred ~ prop(prop.sd.g10_) | g10
    g11__pred <- g11
    g11__pred ~ prop(prop.sd.g11_) | g11
    g12__pred <- g12
    g12__pred ~ prop(prop.sd.g12_) | g12
    g13__pred <- g13
    g13__pred ~ prop(prop.sd.g13_) | g13
    g14__pred <- g14
    g14__pred ~ prop(prop.sd.g14_) | g14
    g15__pred <- g15
    g15__pred ~ prop(prop.sd.g15_) | g15
    g16__pred <- g16
    g16__pred ~ prop(prop.sd.g16_) | g16
    g17__pred <- g17
    g17__pred ~ prop(prop.sd.g17_) | g17
    g18__pred <- g18
    g18__pred ~ prop(prop.sd.g18_) | g18
    g19__pred <- g19
    g19__pred ~ prop(prop.sd.g19_) | g19
    g20__pred <- g20
    g20__pred ~ prop(prop.sd.g20_) | g20
  })
}
