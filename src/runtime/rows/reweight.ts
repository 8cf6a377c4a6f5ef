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
import { gramSums, type SubjectRows, type SubjectStats } from "../population/subject-rows.js";
import { cholesky, forwardSolve } from "../numeric/linalg.js";
import { evalBasis } from "../numeric/bspline.js";
import { observationOfState, setDoseContext, type CurvePiece, type SubjectSystem, type WeakInterval } from "./weak-form.js";

/** Relative ridge on the row covariance: rows outnumber the data, so it is singular without one. */
const RIDGE = 1e-2;

/** Buffers for the Jacobian of the observed-scale dynamics, shared by all subjects of one re-weighting round. */
class JacobianWorkspace {
  readonly d: number;
  readonly p: number;
  readonly obsOf: Int32Array;
  readonly identity: boolean;
  readonly dictJ: Float64Array;
  readonly driftJ: Float64Array;
  readonly theta: Float64Array;
  readonly drift: Float64Array;
  readonly thetaP: Float64Array;
  readonly driftP: Float64Array;
  readonly xs: Float64Array;
  readonly xp: Float64Array;
  readonly env: { sinceDose: number; dose: number; cov: Float64Array };
  /** d (Theta_k theta + c_k) / d z_m at a node, d x d. */
  readonly jac: Float64Array;

  constructor(readonly model: CompiledModel) {
    const d = (this.d = model.nStates);
    const p = (this.p = model.nParams);
    this.obsOf = observationOfState(model);
    this.identity = model.meta.observations.every((o) => o.transform === "identity");
    this.dictJ = new Float64Array(d * p * d);
    this.driftJ = new Float64Array(d * d);
    this.theta = new Float64Array(d * p);
    this.drift = new Float64Array(d);
    this.thetaP = new Float64Array(d * p);
    this.driftP = new Float64Array(d);
    this.xs = new Float64Array(d);
    this.xp = new Float64Array(d);
    this.env = { sinceDose: 0, dose: 0, cov: new Float64Array(model.meta.covariates.length) };
    this.jac = new Float64Array(d * d);
  }

  /** The Jacobian at one node into this.jac: analytic on the identity scale, by forward differences in z otherwise. */
  at(iv: WeakInterval, n: number, t: number, th: Float64Array): void {
    const { model, d, p, xs, xp, jac, env, dictJ, driftJ, theta, drift, thetaP, driftP, obsOf } = this;
    for (let k = 0; k < d; k++) xs[k] = iv.x[n * d + k]!;
    if (this.identity) {
      model.dictionaryJacobian(xs, t, env, dictJ);
      model.driftJacobian(xs, t, env, driftJ);
      for (let k = 0; k < d; k++)
        for (let l = 0; l < d; l++) {
          let acc = driftJ[k * d + l]!;
          for (let j = 0; j < p; j++) acc += th[j]! * dictJ[(k * p + j) * d + l]!;
          jac[k * d + l] = acc;
        }
      return;
    }
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
}

/** J = d r / d (spline coefficients), one block per distinct curve piece of the subject. */
function rowJacobians(ws: JacobianWorkspace, sys: SubjectSystem, pieces: CurvePiece[], th: Float64Array, doseTimes: number[], rowScale: Float64Array): Float64Array[] {
  const d = ws.d;
  const K = sys.rows;
  const bvals = new Float64Array(4);
  const jBlocks = pieces.map((pc) => new Float64Array(K * pc.fit.basis.size));
  for (const iv of sys.intervals) {
    const tests = iv.tests;
    const nNodes = tests.nodes.length;
    // Jacobian of the dynamics on the observed scale at each node.
    const jacAt = new Float64Array(nNodes * d * d);
    for (let n = 0; n < nNodes; n++) {
      const t = tests.nodes[n]!;
      setDoseContext(ws.env, doseTimes, t);
      ws.at(iv, n, t, th);
      jacAt.set(ws.jac, n * d * d);
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
  return jBlocks;
}

/** C = sum over pieces of (J A) Sigma (J A)' (lower triangle), plus the ridge, mirrored. */
function rowCovariance(model: CompiledModel, sys: SubjectSystem, pieces: CurvePiece[], jBlocks: Float64Array[], residual: Record<string, ResidualError>, obsOf: Int32Array): Float64Array {
  const K = sys.rows;
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
  return cov;
}

/** The subject's rows whitened by the Cholesky factor of their covariance. */
function whiten(sys: SubjectSystem, cov: Float64Array, p: number): SubjectRows {
  const K = sys.rows;
  if (!cholesky(cov, K)) throw new Error(`re-weighting: row covariance of subject ${sys.id} is not positive definite`);
  const yw = Float64Array.from(sys.y);
  forwardSolve(cov, K, yw);
  const gw = new Float64Array(K * p);
  const col = new Float64Array(K);
  for (let j = 0; j < p; j++) {
    for (let r = 0; r < K; r++) col[r] = sys.g[r * p + j]!;
    forwardSolve(cov, K, col);
    for (let r = 0; r < K; r++) gw[r * p + j] = col[r]!;
  }
  return { rows: K, cols: p, g: gw, y: yw };
}

export function reweightedStats(
  model: CompiledModel,
  systems: SubjectSystem[],
  thetaI: Float64Array[],
  rowScale: Float64Array,
  _curves: CurvePiece[][][],
  residual: Record<string, ResidualError>,
  data: Dataset,
): SubjectStats[] {
  const ws = new JacobianWorkspace(model);
  return systems.map((sys, si) => {
    const subject = data.subjects[sys.index]!;
    ws.env.cov.set(subject.covariates.subarray(0, ws.env.cov.length));
    const doseTimes = subject.doses.map((x) => x.time);
    // Distinct curve pieces of this subject, each with its coefficient block.
    const pieces: CurvePiece[] = [];
    for (const iv of sys.intervals) for (const pc of iv.pieces) if (!pieces.includes(pc)) pieces.push(pc);
    const jBlocks = rowJacobians(ws, sys, pieces, thetaI[si]!, doseTimes, rowScale);
    const cov = rowCovariance(model, sys, pieces, jBlocks, residual, ws.obsOf);
    return gramSums(whiten(sys, cov, ws.p));
  });
}

function obsOfPiece(sys: SubjectSystem, pc: CurvePiece, obsOf: Int32Array): number {
  for (const iv of sys.intervals) {
    const k = iv.pieces.indexOf(pc);
    if (k >= 0) return obsOf[k]!;
  }
  return 0;
}
