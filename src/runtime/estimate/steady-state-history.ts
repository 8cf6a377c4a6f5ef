// The first guess's reading of steady-state doses (SS=1 with II). The weak-form and exponential rows sum doses as
// they come (rows/latent-rows.ts dosedAmount, rows/latent.ts): a steady-state dose read as one dose leaves the
// troughs after it looking far too high for the amount given (quinidine: V 84% low). Here each one is written out as
// the regimen it stands for, the same dose every II before it, back to the subject's previous dose (which the
// rows keep: the reset of SS=1 is approximated by the earlier regimen fading) and at most HISTORY_DOSES intervals.
// A subject whose written-out regimen starts before time 0 is shifted later as a whole when every state starts at a
// known 0 (a drug-free start: the dynamics do not see the clock), else the regimen is cut at time 0.
// The exact steady state (simulate/steady-state.ts) is what the simulator, the quality check and SAEM use.
import type { Dataset, Dose, Subject } from "../data/dataset.js";
import type { CompiledModel } from "../model.js";

/** Doses before a steady-state one: 1 - e^{-24 k II} of the steady state, 99% whenever the half-life is under 3.6 intervals. */
export const HISTORY_DOSES = 24;

export function steadyStateAsHistory(model: CompiledModel, data: Dataset, notes: string[]): Dataset {
  const count = data.subjects.reduce((n, s) => n + s.doses.filter((d) => d.steadyState).length, 0);
  if (count === 0) return data;
  const drugFree = model.meta.states.every((s) => s.initial === 0);
  let shifted = 0;
  const subjects = data.subjects.map((s): Subject => {
    if (!s.doses.some((d) => d.steadyState)) return s;
    const doses: Dose[] = [];
    let previous = Number.NEGATIVE_INFINITY;
    for (const d of s.doses) {
      if (d.steadyState) {
        const tau = d.steadyState.interval;
        for (let k = HISTORY_DOSES; k >= 1; k--) {
          const t = d.time - k * tau;
          if (t > previous && (drugFree || t >= 0)) doses.push(plain(d, t));
        }
      }
      doses.push(plain(d, d.time));
      previous = d.time;
    }
    const first = doses[0]!.time;
    if (!(first < 0)) return { ...s, doses };
    shifted++;
    const by = -first;
    return {
      ...s,
      doses: doses.map((d) => ({ ...d, time: d.time + by })),
      series: s.series.map((x) => ({ ...x, times: x.times.map((t) => t + by) })),
    };
  });
  notes.push(
    `${count} steady-state dose(s) (SS=1) given to the first guess as their regimen: the same dose every II for up to ${HISTORY_DOSES} intervals before, back to the subject's previous dose${shifted > 0 ? ` (${shifted} subject(s) moved later in time so that it starts at 0)` : ""}; the refinement, the simulations and the quality check use the exact steady state.`,
  );
  return { ...data, subjects };
}

function plain(d: Dose, time: number): Dose {
  const out: Dose = { ...d, time };
  delete out.steadyState;
  return out;
}
