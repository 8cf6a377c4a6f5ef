// The checks every generated module must pass, shared by the fixture tests
// and the spec tests: generated Theta/c against the IR's right-hand side
// (independent interpreter), the observed-scale rows against h'(x) f with h'
// from the transform, the Jacobians against central differences, and the
// simulation right-hand side, h and h^-1.
import fc from "fast-check";
import { expect } from "vitest";
import type { IrExpr, ModelIr, Transform } from "../../../src/ir/model.js";
import type { CompiledModel, Env } from "../../../src/runtime/model.js";
import { evaluateExpr } from "../../../src/ir/evaluate.js";

export interface Point {
  x: Float64Array;
  theta: Float64Array;
  t: number;
  env: Env;
}

/**
 * Random evaluation points. States are positive (models take logs, roots and
 * powers of them); `dose` ranges over 0..3 so every dose indicator is hit.
 */
export function pointArbitrary(ir: ModelIr): fc.Arbitrary<Point> {
  const d = ir.states.length;
  const p = ir.parameters.length;
  const real = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc
    .record({
      x: fc.array(real(0.2, 3), { minLength: d, maxLength: d }),
      theta: fc.array(real(-2, 2), { minLength: p, maxLength: p }),
      t: real(0, 20),
      sinceDose: real(0, 5),
      dose: fc.integer({ min: 0, max: 3 }),
      cov: fc.array(real(10, 100), { minLength: ir.covariates.length, maxLength: ir.covariates.length }),
    })
    .map((r) => ({
      x: Float64Array.from(r.x),
      theta: Float64Array.from(r.theta),
      t: r.t,
      env: { sinceDose: r.sinceDose, dose: r.dose, cov: Float64Array.from(r.cov) },
    }));
}

function interpret(ir: ModelIr, e: IrExpr, pt: Point, x: ArrayLike<number> = pt.x): number {
  const cov: Record<string, number> = {};
  ir.covariates.forEach((name, i) => Object.defineProperty(cov, name, { value: pt.env.cov[i], enumerable: true }));
  // The IR is written in the model's parameters; the generated functions take the linear coefficients (1/V for a reciprocal V).
  const theta = pt.theta.map((v, j) => (ir.parameters[j]!.estimatedAs === "reciprocal" ? 1 / v : v));
  return evaluateExpr(e, { x, theta, t: pt.t, sinceDose: pt.env.sinceDose, dose: pt.env.dose, cov });
}

/** h'(x) from the transform, written out by hand (not by the differentiator under test). */
export function transformDerivative(t: Transform, x: number): number {
  switch (t.kind) {
    case "identity":
      return 1;
    case "affine":
      return t.scale;
    case "log":
      return 1 / x;
    case "log10":
      return 1 / (x * Math.LN10);
    case "exp":
      return Math.exp(x);
  }
}

/**
 * |a - b| <= tol * scale, where scale is the sum of the magnitudes of the
 * terms that make up the value: a relative error that stays meaningful when
 * terms of opposite sign cancel. The 1e-300 floor only absorbs underflow
 * (fast-check likes subnormal parameters, and `theta * x * y` may flush to 0
 * in one order of operations and not in another).
 */
function close(actual: number, expected: number, scale: number, tol: number, what: string): void {
  const err = Math.abs(actual - expected);
  if (!(err <= tol * scale + 1e-300) && !(actual === expected)) {
    expect.fail(`${what}: got ${actual}, expected ${expected} (error ${err}, scale ${scale}, tolerance ${tol})`);
  }
}

export const EXACT_TOL = 1e-12;
/** Central differences with step 1e-6 (relative) are good to ~1e-9 here; 1e-6 leaves room for curvature. */
export const FD_TOL = 1e-6;

export function checkPoint(ir: ModelIr, m: CompiledModel, pt: Point): void {
  const d = ir.states.length;
  const p = ir.parameters.length;
  const { x, theta, t, env } = pt;
  const Theta = new Float64Array(d * p).fill(NaN);
  const c = new Float64Array(d).fill(NaN);
  m.dictionary(x, t, env, Theta);
  m.drift(x, t, env, c);
  const f = new Float64Array(d).fill(NaN);
  m.rhs(x, theta, t, env, f);

  const oTheta = new Float64Array(d * p).fill(NaN);
  const oc = new Float64Array(d).fill(NaN);
  m.observedDictionary(x, t, env, oTheta);
  m.observedDrift(x, t, env, oc);

  const firstObservation = ir.states.map((_, k) => ir.observations.find((o) => o.state === k));
  for (let k = 0; k < d; k++) {
    const dyn = ir.dynamics.find((q) => q.state === k);
    const expected = dyn ? interpret(ir, dyn.rhs, pt) : 0;
    let sum = c[k]!;
    let scale = Math.abs(c[k]!) + Math.abs(expected);
    let oSum = oc[k]!;
    for (let j = 0; j < p; j++) {
      sum += Theta[k * p + j]! * theta[j]!;
      oSum += oTheta[k * p + j]! * theta[j]!;
      scale += Math.abs(Theta[k * p + j]! * theta[j]!);
    }
    close(sum, expected, scale, EXACT_TOL, `${ir.name}: Theta theta + c, row ${k}`);
    close(f[k]!, expected, scale, EXACT_TOL, `${ir.name}: rhs, row ${k}`);
    const obs = firstObservation[k];
    const hp = obs ? transformDerivative(obs.transform, x[k]!) : 1;
    close(oSum, hp * expected, Math.abs(hp) * scale, EXACT_TOL, `${ir.name}: observed-scale row ${k}`);
  }

  // Jacobians against central differences of the generated Theta and c.
  const J = new Float64Array(d * p * d).fill(NaN);
  const Jc = new Float64Array(d * d).fill(NaN);
  m.dictionaryJacobian(x, t, env, J);
  m.driftJacobian(x, t, env, Jc);
  const plus = new Float64Array(d * p);
  const minus = new Float64Array(d * p);
  const cPlus = new Float64Array(d);
  const cMinus = new Float64Array(d);
  for (let l = 0; l < d; l++) {
    const h = 1e-6 * Math.max(1, Math.abs(x[l]!));
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[l] = x[l]! + h;
    xm[l] = x[l]! - h;
    m.dictionary(xp, t, env, plus);
    m.dictionary(xm, t, env, minus);
    m.drift(xp, t, env, cPlus);
    m.drift(xm, t, env, cMinus);
    for (let kj = 0; kj < d * p; kj++) {
      const fd = (plus[kj]! - minus[kj]!) / (2 * h);
      const scale = Math.abs(fd) + Math.abs(Theta[kj]!) + 1e-3;
      close(J[kj * d + l]!, fd, scale, FD_TOL, `${ir.name}: dTheta[${kj}]/dx${l}`);
    }
    for (let k = 0; k < d; k++) {
      const fd = (cPlus[k]! - cMinus[k]!) / (2 * h);
      const scale = Math.abs(fd) + Math.abs(c[k]!) + 1e-3;
      close(Jc[k * d + l]!, fd, scale, FD_TOL, `${ir.name}: dc[${k}]/dx${l}`);
    }
  }

  // h and its inverse.
  const y = new Float64Array(ir.observations.length).fill(NaN);
  m.observe(x, y);
  ir.observations.forEach((o, i) => {
    const expected = interpret(ir, o.expr, pt);
    close(y[i]!, expected, Math.abs(expected), EXACT_TOL, `${ir.name}: h for ${o.name}`);
    const back = m.invert(i, y[i]!);
    close(back, x[o.state]!, Math.abs(x[o.state]!), 1e-12, `${ir.name}: h^-1 for ${o.name}`);
  });

  // Derived quantities.
  const dv = new Float64Array(ir.derived.length).fill(NaN);
  m.derived(theta, dv);
  ir.derived.forEach((q, i) => {
    const expected = interpret(ir, q.expr, pt);
    close(dv[i]!, expected, Math.abs(expected), EXACT_TOL, `${ir.name}: derived ${q.name}`);
  });
}

/** Runs `checkPoint` over seeded random points. */
export function checkModel(ir: ModelIr, m: CompiledModel, seed: number, numRuns = 60): void {
  expect(m.nStates).toBe(ir.states.length);
  expect(m.nParams).toBe(ir.parameters.length);
  fc.assert(
    fc.property(pointArbitrary(ir), (pt) => {
      checkPoint(ir, m, pt);
    }),
    { seed, numRuns },
  );
}
