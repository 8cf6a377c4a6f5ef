// The second half of a start for SAEM from a poor first guess (pooled-start.ts): a few rounds of the iterative
// two-stage method. Each subject's random effects are fitted to its own observations (Levenberg-Marquardt on the
// standardised residuals, with a broad Gaussian prior around the population values so that a subject with few
// samples stays near them), then the population values of the random components move to the mean of the subjects'
// fits and their SDs to the fits' spread. A pooled fit alone leaves every subject on the typical curve but for the
// deviations the first guess gave it: on Spruce the trees' sizes differ, a common asymptote then forces a small
// rate, and SAEM started there (k 0.0015 against R's 0.0095) stayed.
import type { SubjectChain } from "./chain.js";
import { subjectMean } from "./effects.js";
import type { Layout } from "./layout.js";
import { levenbergMarquardt } from "./least-squares.js";
import { naturalParams } from "./population.js";
import { errorSd, type ResidualParams } from "./residual.js";

/**
 * Rounds until the population values move by less than SETTLED (log scale; relative on the natural scale), at most
 * MAX_ROUNDS: each round's prior is centred on the last round's values, so they approach the subjects' own fits
 * geometrically (Spruce: k 0.0054 after 3 rounds, 0.0082-0.0097 after 6-10; the median individual k is 0.0100).
 */
const MAX_ROUNDS = 10;
const SETTLED = 0.01;
/** Per-subject iterations: a start, not an estimate. */
const SUBJECT_ITERATIONS = 30;

/**
 * In place: `mu` (random components), each subject's deviation `eta[i]` (random positions), from rounds of
 * individual fits under `residual`; `priorSd` per random position bounds how far a subject's fit strays from the
 * population value. Returns the SDs of the subjects' deviations per random position.
 */
export function twoStageRounds(
  layout: Layout,
  chains: SubjectChain[],
  mu: Float64Array,
  beta: Float64Array,
  eta: Float64Array[],
  residual: ResidualParams,
  priorSd: Float64Array,
): Float64Array {
  const nR = layout.random.length;
  const nC = layout.components.length;
  const mean = new Float64Array(nC);
  const psi = new Float64Array(nC);
  const sd = new Float64Array(nR);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let moved = 0;
    chains.forEach((ch, i) => {
      const obs = ch.predictor.obs;
      subjectMean(layout.effects, mu, beta, ch.covariates, mean);
      const phi0 = Float64Array.from(layout.random, (c, r) => mean[c]! + eta[i]![r]!);
      const f = new Float64Array(obs.n);
      naturalParams(layout, mean, phi0, psi);
      if (!ch.predictor.predict(psi, f, true)) return;
      // Weights from the predictions at the round's start (iteratively re-weighted across rounds).
      const w = Float64Array.from(f, (fj, j) => (obs.censored[j] ? 0 : 1 / errorSd(residual, obs.output[j]!, fj)));
      const fit = levenbergMarquardt(
        phi0,
        obs.n + nR,
        (phi, out) => {
          naturalParams(layout, mean, phi, psi);
          if (!ch.predictor.predict(psi, f, true)) return false;
          for (let j = 0; j < obs.n; j++) {
            out[j] = w[j]! * (obs.y[j]! - f[j]!);
            if (!Number.isFinite(out[j]!)) return false;
          }
          for (let r = 0; r < nR; r++) out[obs.n + r] = (phi[r]! - mean[layout.random[r]!]!) / priorSd[r]!;
          return true;
        },
        (phi, r) => 1e-5 * Math.max(Math.abs(phi[r]!), priorSd[r]!),
        SUBJECT_ITERATIONS,
      );
      if (fit) for (let r = 0; r < nR; r++) eta[i]![r] = fit.x[r]! - mean[layout.random[r]!]!;
    });
    // The population values move to the subjects' median deviation, the SDs to the deviations' scaled median
    // absolute deviation: robust to the subjects whose data do not determine their values (on Spruce the trees
    // still growing linearly at the last sample fit k near 0: the geometric mean of the individual k was 0.0039,
    // their median 0.0100, R's ML 0.0095).
    for (let r = 0; r < nR; r++) {
      const c = layout.random[r]!;
      const m = median(eta.map((e) => e[r]!));
      mu[c] = mu[c]! + m;
      for (const e of eta) e[r] = e[r]! - m;
      sd[r] = 1.4826 * median(eta.map((e) => Math.abs(e[r]!)));
      moved = Math.max(moved, Math.abs(m) / (layout.components[c]!.scale === "logNormal" ? 1 : Math.max(Math.abs(mu[c]!), 1e-12)));
    }
    if (moved < SETTLED) break;
  }
  return sd;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}
