// WENDy-style re-weighting. The rows of a subject are not independent: they
// share the smoothed curves. To first order, the row residual r = y - G theta_i
// depends on the data noise eps through the (linear) smoother, c = A y, and on
// the curve through -int(phi' z) and the Jacobian of Theta theta_i + c, so
//     Cov(r) = J A Sigma A' J',   J = d r / d (spline coefficients),
// with Sigma the estimated observation-noise variances. Whitening each
// subject's rows by that covariance and re-fitting is the GLS step of WENDy's
// iteration, with the individual theta_i (BLUPs) in the Jacobian.
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import type { ResidualError } from "../fit-result.js";
import type { SubjectStats } from "../population/mixed-model.js";
import { cholesky, forwardSolve } from "../numeric/linalg.js";
import { evalBasis } from "../numeric/bspline.js";
import { observationOfState, setDoseContext, type CurvePiece, type SubjectSystem } from "./weak-form.js";

/** Relative ridge on the row covariance: rows outnumber the data, so it is singular without one. */
const RIDGE = 1e-2;

export function reweightedStats(
  model: CompiledModel,
  systems: SubjectSystem[],
  thetaI: Float64Array[],
  rowScale: Float64Array,
  _curves: CurvePiece[][][],
  residual: Record<string, ResidualError>,
  data: Dataset,
): SubjectStats[] {
  const d = model.nStates;
  const p = model.nParams;
  const obsOf = observationOfState(model);
  const identity = model.meta.observations.every((o) => o.transform === "identity");
  const dictJ = new Float64Array(d * p * d);
  const driftJ = new Float64Array(d * d);
  const theta = new Float64Array(d * p);
  const drift = new Float64Array(d);
  const thetaP = new Float64Array(d * p);
  const driftP = new Float64Array(d);
  const xs = new Float64Array(d);
  const xp = new Float64Array(d);
  const bvals = new Float64Array(4);
  const env = { sinceDose: 0, dose: 0, cov: new Float64Array(model.meta.covariates.length) };
  // d (Theta_k theta + c_k) / d z_m at a node, d x d.
  const jac = new Float64Array(d * d);

  return systems.map((sys, si) => {
    const subject = data.subjects[sys.index]!;
    env.cov.set(subject.covariates.subarray(0, env.cov.length));
    const doseTimes = subject.doses.map((x) => x.time);
    const th = thetaI[si]!;
    const K = sys.rows;
    // Distinct curve pieces of this subject, each with its coefficient block.
    const pieces: CurvePiece[] = [];
    for (const iv of sys.intervals) for (const pc of iv.pieces) if (!pieces.includes(pc)) pieces.push(pc);
    const jBlocks = pieces.map((pc) => new Float64Array(K * pc.fit.basis.size));
    for (const iv of sys.intervals) {
      const tests = iv.tests;
      const nNodes = tests.nodes.length;
      // Jacobian of the dynamics on the observed scale at each node.
      const jacAt = new Float64Array(nNodes * d * d);
      for (let n = 0; n < nNodes; n++) {
        const t = tests.nodes[n]!;
        setDoseContext(env, doseTimes, t);
        for (let k = 0; k < d; k++) xs[k] = iv.x[n * d + k]!;
        if (identity) {
          model.dictionaryJacobian(xs, t, env, dictJ);
          model.driftJacobian(xs, t, env, driftJ);
          for (let k = 0; k < d; k++)
            for (let l = 0; l < d; l++) {
              let acc = driftJ[k * d + l]!;
              for (let j = 0; j < p; j++) acc += th[j]! * dictJ[(k * p + j) * d + l]!;
              jac[k * d + l] = acc;
            }
        } else {
          model.observedDictionary(xs, t, env, theta);
          model.observedDrift(xs, t, env, drift);
          for (let l = 0; l < d; l++) {
            const z = iv.z[n * d + l]!;
            const h = 1e-6 * Math.max(1, Math.abs(z));
            xp.set(xs);
            xp[l] = model.invert(obsOf[l]!, z + h);
            model.observedDictionary(xp, t, env, thetaP);
            model.observedDrift(xp, t, env, driftP);
            for (let k = 0; k < d; k++) {
              let acc = (driftP[k]! - drift[k]!) / h;
              for (let j = 0; j < p; j++) acc += (th[j]! * (thetaP[k * p + j]! - theta[k * p + j]!)) / h;
              jac[k * d + l] = acc;
            }
          }
        }
        jacAt.set(jac, n * d * d);
      }
      tests.functions.forEach((f, l) => {
        for (let k = 0; k < d; k++) {
          const row = iv.firstRow + l * d + k;
          const s = rowScale[k]!;
          for (let i = 0; i < f.nodeCount; i++) {
            const n = f.firstNode + i;
            const w = tests.weights[n]!;
            const ph = w * tests.phi[f.offset + i]!;
            const dph = w * tests.dphi[f.offset + i]!;
            for (let m = 0; m < d; m++) {
              const coefOfZ = (m === k ? -dph : 0) - ph * jacAt[(n * d + k) * d + m]!;
              if (coefOfZ === 0) continue;
              const pc = iv.pieces[m]!;
              const block = jBlocks[pieces.indexOf(pc)]!;
              const nb = pc.fit.basis.size;
              const j0 = evalBasis(pc.fit.basis, tests.nodes[n]!, bvals);
              for (let a = 0; a < 4; a++) block[row * nb + j0 + a] += s * coefOfZ * bvals[a]!;
            }
          }
        }
      });
    }
    // C = sum over pieces of (J A) Sigma (J A)'.
    const cov = new Float64Array(K * K);
    pieces.forEach((pc, b) => {
      const nb = pc.fit.basis.size;
      const nObs = pc.times.length;
      const a = pc.fit.smootherMatrix();
      const out = model.meta.observations[obsOfPiece(sys, pc, obsOf)]!;
      const err = residual[out.name]!;
      const sd = new Float64Array(nObs);
      for (let i = 0; i < nObs; i++) {
        const f = pc.fit.fitted[i]!;
        const va = (err.a ?? 0) ** 2;
        const vb = ((err.b ?? 0) * f) ** 2;
        sd[i] = Math.sqrt(va + vb);
      }
      const ja = new Float64Array(K * nObs);
      const jb = jBlocks[b]!;
      for (let r = 0; r < K; r++)
        for (let c = 0; c < nb; c++) {
          const v = jb[r * nb + c]!;
          if (v === 0) continue;
          for (let i = 0; i < nObs; i++) ja[r * nObs + i] += v * a[c * nObs + i]!;
        }
      for (let r = 0; r < K; r++) for (let i = 0; i < nObs; i++) ja[r * nObs + i] = ja[r * nObs + i]! * sd[i]!;
      for (let r = 0; r < K; r++)
        for (let c = 0; c <= r; c++) {
          let acc = 0;
          for (let i = 0; i < nObs; i++) acc += ja[r * nObs + i]! * ja[c * nObs + i]!;
          cov[r * K + c] += acc;
        }
    });
    let tr = 0;
    for (let r = 0; r < K; r++) tr += cov[r * K + r]!;
    const ridge = RIDGE * (tr / K) + 1e-300;
    for (let r = 0; r < K; r++) {
      cov[r * K + r] += ridge;
      for (let c = 0; c < r; c++) cov[c * K + r] = cov[r * K + c]!;
    }
    if (!cholesky(cov, K)) throw new Error(`re-weighting: row covariance of subject ${sys.id} is not positive definite`);
    // Whiten y and the columns of G.
    const yw = Float64Array.from(sys.y);
    forwardSolve(cov, K, yw);
    const gw = new Float64Array(K * p);
    const col = new Float64Array(K);
    for (let j = 0; j < p; j++) {
      for (let r = 0; r < K; r++) col[r] = sys.g[r * p + j]!;
      forwardSolve(cov, K, col);
      for (let r = 0; r < K; r++) gw[r * p + j] = col[r]!;
    }
    const gtg = new Float64Array(p * p);
    const gty = new Float64Array(p);
    let yty = 0;
    for (let r = 0; r < K; r++) {
      yty += yw[r]! * yw[r]!;
      for (let j = 0; j < p; j++) {
        gty[j] += gw[r * p + j]! * yw[r]!;
        for (let k = 0; k < p; k++) gtg[j * p + k] += gw[r * p + j]! * gw[r * p + k]!;
      }
    }
    return { n: K, gtg, gty, yty };
  });
}

function obsOfPiece(sys: SubjectSystem, pc: CurvePiece, obsOf: Int32Array): number {
  for (const iv of sys.intervals) {
    const k = iv.pieces.indexOf(pc);
    if (k >= 0) return obsOf[k]!;
  }
  return 0;
}
