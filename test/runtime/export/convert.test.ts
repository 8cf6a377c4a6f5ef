import { createRng } from "../../../src/runtime/numeric/random.js";
// Conversion of additive-normal random effects to the declared Monolix
// distribution. Expected values: the worked table of
// /work/shared/research/monolix-export.md section 5 (computed there
// independently), and the defining identities checked by simulation.
import { describe, expect, it } from "vitest";
import { convertFromIndividuals,
  CORR_MAX,
  OMEGA_MAX,
  OMEGA_MIN,
  convertCorrelation,
  convertParameter,
  shrinkToPositiveDefinite,
} from "../../../src/runtime/export/convert.js";

/** Seeded PRNG (mulberry32) and Box-Muller normals. */
function normals(seed: number) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

describe("convertParameter", () => {
  it("log-normal: matches the worked table (exact moment matching)", () => {
    const rows: [number, number, number, number][] = [
      [2, 0.5, 0.2462, 1.94],
      [10, 5, 0.4724, 8.944],
      [1, 1, 0.8326, 0.707],
    ];
    for (const [theta, s, omega, typical] of rows) {
      const c = convertParameter("p", theta, s, "logNormal");
      expect(c.omega).toBeCloseTo(omega, 4);
      expect(c.typical).toBeCloseTo(typical, 3);
      expect(c.notes).toEqual([]);
    }
  });

  it("log-normal: the exported distribution has the mean and SD of the additive one (seeded simulation)", () => {
    const c = convertParameter("p", 10, 5, "logNormal");
    const z = normals(7);
    const n = 200000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = c.typical * Math.exp(c.omega! * z());
      sum += v;
      sq += v * v;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sq / n - mean * mean);
    expect(Math.abs(mean - 10)).toBeLessThan(0.05);
    expect(Math.abs(sd - 5)).toBeLessThan(0.1);
  });

  it("floors and caps omega, keeping the mean", () => {
    const small = convertParameter("p", 2, 0.01, "logNormal");
    expect(small.omega).toBe(OMEGA_MIN);
    expect(small.typical).toBeCloseTo(2 * Math.exp(-(OMEGA_MIN ** 2) / 2), 12);
    expect(small.notes.join()).toMatch(/clamped/);
    const big = convertParameter("p", 1, 100, "logNormal");
    expect(big.omega).toBe(OMEGA_MAX);
  });

  it("a negative estimate of a log-normal parameter starts at |theta|, with a note", () => {
    const c = convertParameter("theta_L", -0.8, 0.3, "logNormal");
    expect(c.typical).toBeGreaterThan(0);
    expect(c.typical * Math.exp(c.omega! ** 2 / 2)).toBeCloseTo(0.8, 12);
    expect(c.notes.join()).toMatch(/not positive/);
    const zero = convertParameter("z", 0, null, "logNormal");
    expect(zero.typical).toBeGreaterThan(0);
    expect(zero.omega).toBeNull();
  });

  it("normal: copies theta and s, floors s at 10% of |theta|", () => {
    expect(convertParameter("p", -3, 1, "normal")).toMatchObject({ typical: -3, omega: 1 });
    expect(convertParameter("p", -3, 0.01, "normal").omega).toBeCloseTo(0.3, 12);
    expect(convertParameter("p", 5, null, "normal")).toMatchObject({ typical: 5, omega: null });
  });

  it("logit-normal: delta method, typical kept inside the bounds", () => {
    const c = convertParameter("f", 0.3, 0.05, "logitNormal");
    expect(c.omega).toBeCloseTo(0.05 / (0.3 * 0.7), 12);
    const out = convertParameter("f", 1.2, 0.05, "logitNormal", { min: 0, max: 1 });
    expect(out.typical).toBeLessThan(1);
    expect(out.typical).toBeGreaterThan(0.99);
  });
});

describe("correlations", () => {
  it("log-normal pair: the worked example gives about 0.52", () => {
    const p = convertParameter("a", 2, 0.5, "logNormal");
    const q = convertParameter("b", 10, 5, "logNormal");
    const r = convertCorrelation(
      { distribution: "logNormal", theta: 2, rawOmega: p.rawOmega! },
      { distribution: "logNormal", theta: 10, rawOmega: q.rawOmega! },
      0.5 * 0.5 * 5,
    );
    expect(r).toBeCloseTo(0.52, 2);
  });

  it("normal pair is the plain correlation; values are clamped", () => {
    const r = convertCorrelation(
      { distribution: "normal", theta: 1, rawOmega: 2 },
      { distribution: "normal", theta: 1, rawOmega: 3 },
      3,
    );
    expect(r).toBeCloseTo(0.5, 12);
    const big = convertCorrelation(
      { distribution: "normal", theta: 1, rawOmega: 1 },
      { distribution: "normal", theta: 1, rawOmega: 1 },
      5,
    );
    expect(big).toBe(CORR_MAX);
  });

  it("shrinks an indefinite correlation matrix until positive definite", () => {
    const m = [
      [1, 0.9, -0.9],
      [0.9, 1, 0.9],
      [-0.9, 0.9, 1],
    ];
    const { matrix, factor } = shrinkToPositiveDefinite(m);
    expect(factor).toBeLessThan(1);
    expect(factor).toBeGreaterThan(0);
    // Leading minors of the result are positive.
    const a = matrix;
    expect(1 - a[0]![1]! ** 2).toBeGreaterThan(0);
    const det =
      a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
      a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
      a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
    expect(det).toBeGreaterThan(0);
    expect(
      shrinkToPositiveDefinite([
        [1, 0.3],
        [0.3, 1],
      ]).factor,
    ).toBe(1);
  });
});

describe("convertFromIndividuals", () => {
  it("recovers a log-normal's typical value and omega from its individual values, ignoring non-positive ones", () => {
    // 400 seeded draws of fM2 = 4.5 exp(0.8 eta) (the Clairon truth), plus 5 non-positive values from noisy ratios.
    const rng = createRng(17);
    const values = Array.from({ length: 400 }, () => 4.5 * Math.exp(0.8 * rng.normal()));
    values.push(-0.3, -1, 0, -2.5, -0.01);
    const c = convertFromIndividuals("fM2", values, "logNormal");
    expect(Math.abs(c.typical / 4.5 - 1)).toBeLessThan(0.1);
    expect(Math.abs(c.omega! / 0.8 - 1)).toBeLessThan(0.1);
    expect(c.notes.join(" ")).toContain("5 of 405");
  });

  it("a normal parameter starts at the median with the SD of the values", () => {
    const c = convertFromIndividuals("x", [1, 2, 3, 4, 5], "normal");
    expect(c.typical).toBe(3);
    expect(c.omega).toBeCloseTo(Math.sqrt(2.5), 12);
  });
});
