// First-order absorption into one compartment, recognised in the checked model so that estimators can try the other
// branch of the flip-flop. For a depot D filled only by doses, d/dt D = -ka D, feeding C with d/dt C = g D - ke C
// (g = ka, or a parameter of its own such as ka/V), C(0) = D(0) = 0, the observed C after a unit input into D is
//     g s (e^{-ke t} - e^{-ka t}) / (ka - ke)
// (s the dose's factor, 1/V for `D += amt / V` or for `conc = A / V` rewritten in concentrations). Swapping ka and
// ke and scaling g s by ka/ke gives the same curve for any input into D (bolus, infusion, steady state): the data
// alone cannot tell absorption from elimination, only the random effects' structure and their likelihood can.
// Checked here on the IR (not by names): the coefficients are evaluated at probe states.
import { evaluateExpr } from "./evaluate.js";
import type { IrExpr, ModelIr } from "./model.js";

export interface AbsorptionIr {
  /** The depot and the compartment it empties into (state indices). */
  depot: number;
  central: number;
  /** Parameter indices of the absorption rate (the depot's only outflow) and of the elimination rate. */
  ka: number;
  ke: number;
  /** The parameter of the inflow into `central` when it is not `ka` itself (`ka_over_V`); the twin keeps it. */
  inflow?: number;
  /**
   * The parameter that scales the observed curve when the inflow is `ka`: the dose's factor (1/V in the compiled
   * functions when `reciprocal`). The twin multiplies that factor by ka/ke (V by ke/ka).
   */
  volume?: { param: number; reciprocal: boolean };
}

const PROBES = [
  [1, 0],
  [0, 1],
  [0.7, 2.3],
];

/** The absorption structure of `ir`, or undefined when it is not exactly a depot in front of one compartment. */
export function findAbsorption(ir: ModelIr): AbsorptionIr | undefined {
  if (ir.states.length !== 2 || ir.dictionaries.length > 0 || ir.observations.length !== 1) return undefined;
  const doses = ir.doses;
  if (doses.length === 0 || doses.some((d) => d.kind !== "jump" || d.amount !== "amt")) return undefined;
  const targets = new Set(doses.map((d) => (d.kind === "jump" ? d.state : -1)));
  if (targets.size !== 1) return undefined;
  const depot = [...targets][0]!;
  const central = 1 - depot;
  if (ir.observations[0]!.state !== central) return undefined;
  // Both start empty: a C(0) would decay at ke on one branch and at ka on the other.
  if (ir.states.some((s) => (s.initial ?? (s.latent ? 0 : Number.NaN)) !== 0)) return undefined;
  const dynD = ir.dynamics.filter((d) => d.state === depot);
  const dynC = ir.dynamics.filter((d) => d.state === central);
  if (dynD.length !== 1 || dynC.length !== 1) return undefined;
  const [d, c] = [dynD[0]!, dynC[0]!];
  if (!zero(d.drift) || !zero(c.drift) || d.terms.length !== 1 || c.terms.length !== 2) return undefined;
  const ka = d.terms[0]!.param;
  const x = (k: number) => (p: number[]) => p[k]!;
  if (!matches(d.terms[0]!.coef, (p) => -x(depot)(p))) return undefined;
  const inflowTerm = c.terms.find((t) => matches(t.coef, x(depot)));
  const elimTerm = c.terms.find((t) => matches(t.coef, (p) => -x(central)(p)));
  if (!inflowTerm || !elimTerm || inflowTerm === elimTerm) return undefined;
  const ke = elimTerm.param;
  if (ke === ka) return undefined;
  if (inflowTerm.param !== ka) {
    if (inflowTerm.param === ke) return undefined;
    return { depot, central, ka, ke, inflow: inflowTerm.param };
  }
  const factors = new Set(doses.map((dose) => (dose.kind === "jump" ? (dose.coefficient?.param ?? -1) : -1)));
  if (factors.size !== 1) return undefined;
  const param = [...factors][0]!;
  // Without a parameter scaling the curve, the twin would need g s times ka/ke: no twin predicts the same.
  if (param < 0 || param === ka || param === ke) return undefined;
  return { depot, central, ka, ke, volume: { param, reciprocal: ir.parameters[param]!.estimatedAs === "reciprocal" } };
}

function zero(e: IrExpr): boolean {
  return PROBES.every((p, i) => evaluateAt(e, p, i) === 0);
}

/** Whether `e` (a coefficient of the dynamics) equals `expected` at every probe state. */
function matches(e: IrExpr, expected: (p: number[]) => number): boolean {
  return PROBES.every((p, i) => {
    const v = evaluateAt(e, p, i);
    return Number.isFinite(v) && Math.abs(v - expected(p)) <= 1e-12 * (1 + Math.abs(expected(p)));
  });
}

function evaluateAt(e: IrExpr, x: number[], probe: number): number {
  try {
    // Time, time since dose and covariates at other values per probe: a coefficient that depends on them is not first order.
    const other = 1.37 + 0.83 * probe;
    return evaluateExpr(e, { x, theta: [], t: other, sinceDose: other / 2, dose: probe + 1, cov: new Proxy({}, { get: () => other + 0.5 }) });
  } catch {
    return Number.NaN;
  }
}
