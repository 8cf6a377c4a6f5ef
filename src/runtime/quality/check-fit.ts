// The quality check every fit passes through, after the estimator and before
// anything is shown or written: does the fitted model describe the data it was
// fitted to? One ODE solve per subject (its individual prediction), then the
// figures and findings of `FitQuality`. The estimator never solves the ODE;
// this stage does, so that a fit that is wrong says so.
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";
import { Predictor } from "./individual-prediction.js";
import type { FitQuality, QualityFinding, SubjectQuality } from "../fit-quality.js";
import { DIVERGENCE_FACTOR, residualFigures } from "./standardised-residuals.js";
import { signProblems } from "./parameter-signs.js";
import { searchBoundHits } from "./search-bounds.js";
import { rowsPerParameter } from "./rows-per-parameter.js";
import { THRESHOLDS, type Thresholds } from "./thresholds.js";
import { median } from "../numeric/summary.js";

export interface QualityOptions {
  thresholds?: Partial<Thresholds>;
}

const MAX_LISTED = 8;

function list(ids: string[]): string {
  return ids.length <= MAX_LISTED ? ids.join(", ") : `${ids.slice(0, MAX_LISTED).join(", ")}, ... (${ids.length} in all)`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(3) : x.toExponential(2);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;
}


export function checkFit(model: CompiledModel, data: Dataset, fit: FitResult, options: QualityOptions = {}): FitQuality {
  const started = performance.now();
  const th: Thresholds = { ...THRESHOLDS, ...options.thresholds };
  const findings: QualityFinding[] = [];
  const subjects: SubjectQuality[] = [];
  const failed: { id: string; message: string }[] = [];
  const unavailable = new Map<string, string[]>();
  let n = 0;
  let sumSq = 0;
  let above3 = 0;
  const rmsList: number[] = [];
  const poor: string[] = [];
  const diverging: string[] = [];
  let dropped = 0;

  const predictor = new Predictor(model);
  for (const subject of data.subjects) {
    const observations = subject.series.reduce((s, x) => s + x.values.length - (x.censored?.reduce((a, c) => a + (c ? 1 : 0), 0) ?? 0), 0);
    const row: SubjectQuality = { id: subject.id, observations, rmsIwres: null, shareAbove3: null, maxAbsIwres: null, diverges: false };
    subjects.push(row);
    const pred = predictor.predict(fit, subject);
    if (!pred.ok) {
      row.problem = pred.kind === "failed" ? `simulation failed: ${pred.message}` : pred.message;
      if (pred.kind === "failed") failed.push({ id: subject.id, message: pred.message });
      else unavailable.set(pred.message, [...(unavailable.get(pred.message) ?? []), subject.id]);
      continue;
    }
    dropped += pred.start.droppedDoses;
    const r = residualFigures(model, fit, subject, pred.outputs);
    row.diverges = r.diverges;
    if (r.diverges) diverging.push(subject.id);
    if (r.n === 0) continue;
    const rms = Math.sqrt(r.sumSq / r.n);
    row.rmsIwres = rms;
    row.shareAbove3 = r.above3 / r.n;
    row.maxAbsIwres = r.maxAbs;
    rmsList.push(rms);
    if (rms > th.subjectRms) poor.push(subject.id);
    n += r.n;
    sumSq += r.sumSq;
    above3 += r.above3;
  }
  const predicted = subjects.filter((s) => s.problem === undefined).length;
  const medianRms = rmsList.length > 0 ? median(rmsList) : null;
  const share3 = n > 0 ? above3 / n : null;

  // The data against the prediction. Problems of some subjects are warnings when they are not the exception
  // (more than a share of the subjects), notes naming them otherwise.
  const bySubjects = (count: number) => (count / Math.max(1, data.subjects.length) > th.failureShare ? "warning" : "note");
  const poorFit = medianRms !== null && medianRms > th.medianRms;
  if (medianRms !== null && medianRms > th.medianRmsNote)
    findings.push({
      code: "poor-fit",
      severity: poorFit ? "warning" : "note",
      message: poorFit
        ? `the individual predictions (the ODE solved with each subject's estimates) do not describe the data: the median subject's predictions are ${fmt(medianRms)} residual SDs off (RMS; about 1 expected, threshold ${th.medianRms}), and ${pct(share3 ?? 0)} of the observations more than 3 residual SDs off (0.3% expected)`
        : `the individual predictions miss the data by more than the residual error (median RMS of the standardised residuals ${fmt(medianRms)}, about 1 expected; ${pct(share3 ?? 0)} of the observations more than 3 residual SDs off): the individual estimates are approximate`,
      hint: poorFit
        ? "look at the individual fits (nlme fit ... --out DIR --report): a wrong structural model, a wrong error model or too few samples per subject shows there; try another model, or check the data's units and times"
        : "use them as a first guess (e.g. for Monolix or nlmixr2, whose exports this fit writes), not as final individual values",
    });
  if (poor.length > 0 && !poorFit)
    findings.push({
      code: "subjects-poorly-fit",
      severity: poor.length / Math.max(1, rmsList.length) > th.subjectShare ? "warning" : "note",
      message: `${poor.length} of ${rmsList.length} subject(s) have predictions more than ${th.subjectRms} residual SDs off (RMS): ${list(poor)}`,
      hint: "look at these subjects in the report: outliers, data errors or a model that does not hold for them",
      subjects: poor,
    });
  if (diverging.length > 0)
    findings.push({
      code: "prediction-diverges",
      severity: bySubjects(diverging.length),
      message: `the individual prediction of ${diverging.length} subject(s) runs away from the data (beyond ${DIVERGENCE_FACTOR} times their largest observation) or leaves the domain of the observation (e.g. the log of a negative value): ${list(diverging)}`,
      hint: "a rate or decay with the wrong sign makes the ODE unstable; see the sign findings, declare such parameters positive (`~ lognormal`), or check the model",
      subjects: diverging,
    });
  if (failed.length > 0)
    findings.push({
      code: "simulation-failed",
      severity: bySubjects(failed.length),
      message: `the ODE could not be solved with the individual estimates of ${failed.length} subject(s): ${list(failed.map((f) => f.id))} (${failed[0]!.message})`,
      hint: "the estimates make the ODE blow up or become too stiff: check the signs and sizes of the estimates for these subjects",
      subjects: failed.map((f) => f.id),
    });
  for (const [message, ids] of unavailable)
    findings.push({
      code: "prediction-unavailable",
      severity: "note",
      message: `no individual prediction for ${ids.length} subject(s) (${list(ids)}): ${message}; the quality check could not compare them with their data`,
      hint: "the fit itself is not affected; give the missing values (e.g. initial states in `constants`) to have them checked",
      subjects: ids,
    });
  if (dropped > 0)
    findings.push({
      code: "prediction-unavailable",
      severity: "note",
      message: `${dropped} dose(s) before a subject's first observation were left out of the individual predictions: they start from the first observation`,
      hint: "declare the initial states in `constants` so that predictions can start at time 0",
    });

  // Signs.
  for (const sp of signProblems(model, data, fit)) {
    const share = sp.individuals > 0 ? sp.wrong / sp.individuals : 0;
    const popBad = sp.kind === "positive" ? !(sp.population > 0) : sp.population < 0;
    const what =
      sp.kind === "positive"
        ? `${sp.parameter} is log-normal in the spec (declared, or the default of a random parameter), so it must be positive`
        : `${sp.parameter} is a decay of ${sp.state} (its term falls as ${sp.state} rises), so a negative value makes ${sp.state} feed its own growth`;
    findings.push({
      code: sp.kind === "positive" ? "wrong-sign" : "negative-decay",
      severity: popBad || share > th.wrongSignShare ? "warning" : "note",
      message: `${what}; estimated ${popBad ? `${fmt(sp.population)} (population)` : `${fmt(sp.population)} (population) but`}${sp.wrong > 0 ? `${popBad ? "," : ""} ${sp.wrong} of ${sp.individuals} subject(s) below zero (${list(sp.wrongIds)})` : ""}`,
      hint:
        sp.kind === "positive"
          ? "the data do not support a positive value with this model: check the model and the data, or use more samples per subject"
          : `declare ${sp.parameter} positive (\`${sp.parameter} ~ lognormal\`) if it must be, and check the model: with few samples per subject the rows may not determine ${sp.parameter}`,
      parameters: [sp.parameter],
      ...(sp.wrongIds.length > 0 ? { subjects: sp.wrongIds } : {}),
    });
  }

  // Search bounds.
  for (const hit of searchBoundHits(fit)) {
    const share = hit.atBound / Math.max(1, hit.of);
    findings.push({
      code: "at-search-bound",
      severity: share > th.boundShare ? "warning" : "note",
      message: `${hit.parameter} ended at (within one grid step of) a bound of its search for ${hit.atBound} of ${hit.of} subject(s)${hit.lo !== undefined && hit.hi !== undefined ? ` (bounds ${fmt(hit.lo)} to ${fmt(hit.hi)})` : ""}: there the bound, not the data, sets it`,
      hint: "sample where that rate acts (e.g. early after a dose for an absorption rate), or fix the rate in `constants` if it is known",
      parameters: [hit.parameter],
    });
  }

  // Rows per parameter.
  const rpp = rowsPerParameter(model, fit);
  if (rpp !== null && rpp < th.rowsPerParameter)
    findings.push({
      code: "few-rows",
      severity: "warning",
      message: `each subject gives ${fmt(rpp)} regression row(s) per estimated coefficient: its rows cannot determine its own parameters, and the population values rest on few, noisy rows`,
      hint: "more samples per subject, or fewer random effects (declare some parameters without `~ random`)",
    });

  findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "warning" ? -1 : 1));
  const nObs = data.subjects.map((s) => s.series.reduce((a, x) => a + x.values.length, 0));
  return {
    summary: {
      subjects: data.subjects.length,
      predicted,
      medianRmsIwres: medianRms,
      shareAbove3: share3,
      poorlyFit: poor.length,
      rowsPerParameter: rpp,
      observationsPerSubject: nObs.length > 0 ? median(nObs) : 0,
      verdict: findings.some((f) => f.severity === "warning") ? "warnings" : "ok",
    },
    findings,
    subjects,
    thresholds: { ...th },
    seconds: (performance.now() - started) / 1000,
  };
}

/** The warnings of a fit's quality check (empty when it has none or was not checked). */
export function qualityWarnings(fit: FitResult): QualityFinding[] {
  return fit.quality?.findings.filter((f) => f.severity === "warning") ?? [];
}
