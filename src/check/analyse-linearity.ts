// Every right-hand side must be linear in the estimated parameters:
// dX/dt = sum_j theta_j g_j(x, t) + g_0(x, t). Each place where that breaks
// is reported at the smallest term that breaks it, naming the parameters
// responsible and the reparametrisation that would fix it.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { quoteList } from "../diagnostics/suggest.js";
import type { Rule } from "./context.js";
import { linearise, type NonlinearProblem } from "./linearise.js";
import { toLinearForm, type LinearForm, type Poly } from "./polynomial.js";

const WHY = "each term must be one estimated parameter times an expression without parameters, so that the weak form is a linear regression";

export function nonlinearDiagnostic(problem: NonlinearProblem, names: string[], reciprocal: string[] = [], inConcentrations = false): Diagnostic {
  const list = quoteList(names, "and");
  const first = `\`${names[0]}\``;
  const known = `or move ${names.length === 1 ? first : `one of them`} to \`constants\` if it is known`;
  const joined = names.some((n) => n.includes("_")) ? names.join("_") : names.join("");
  let label: string;
  let help: string;
  switch (problem.reason.kind) {
    case "product":
      label = names.length === 1 ? `${first} is multiplied by itself` : `${list} are multiplied together`;
      help =
        names.length === 1
          ? `estimate ${first} squared as one parameter, ${known}`
          : `estimate the product as one parameter (e.g. declare \`${joined}\` in \`parameters\`), ${known}`;
      if (reciprocal.length === 1 && names.length === 2) {
        const other = names.find((n) => n !== reciprocal[0])!;
        label = `\`${other}\` is multiplied by \`1/${reciprocal[0]}\``;
        help = inConcentrations
          ? `estimate the ratio as one parameter, e.g. a rate \`k\` for \`${other} / ${reciprocal[0]}\`, with \`${other} = k * ${reciprocal[0]}\` in \`derived\``
          : `write the model in amounts and observe \`A / ${reciprocal[0]}\` (it is then fitted in concentrations, with \`${reciprocal[0]}\` ` +
            `on the doses only), or estimate the ratio as one parameter (e.g. \`${other}_over_${reciprocal[0]}\`)`;
      }
      break;
    case "power":
      label = `${list} ${names.length === 1 ? "is" : "are"} raised to a power`;
      help = `estimate the power as one parameter, ${known}`;
      break;
    case "exponent":
      label = `${list} ${names.length === 1 ? "appears" : "appear"} in an exponent`;
      help = `move ${names.length === 1 ? first : "them"} to \`constants\` if ${names.length === 1 ? "it is" : "they are"} known`;
      break;
    case "denominator":
      label = `${list} ${names.length === 1 ? "appears" : "appear"} in a denominator`;
      help =
        names.length === 1
          ? `estimate the inverse as one parameter (e.g. declare \`inv_${names[0]}\` and multiply by it), ${known}`
          : `move them to \`constants\` if they are known`;
      break;
    case "function":
      label = `${list} ${names.length === 1 ? "appears" : "appear"} inside \`${problem.reason.fn}\``;
      help = `move ${names.length === 1 ? first : "them"} to \`constants\` if ${names.length === 1 ? "it is" : "they are"} known, or rewrite the term so that the parameter multiplies it`;
      break;
  }
  return { severity: "error", code: "N2001", message: "term is not linear in the parameters", span: problem.span, label, notes: [WHY], help };
}

export const analyseLinearity: Rule = {
  name: "analyse-linearity",
  run(ctx) {
    const { expanded, env, layout } = ctx.facts;
    const polys = new Map<number, Poly>();
    const linear = new Map<number, LinearForm>();
    for (const eq of expanded!.equations) {
      if (eq.state === undefined) continue;
      const poly = linearise(eq.rhs, env!, (problem) => {
        const names = [...new Set(problem.params.map((p) => layout!.parameters[p]!.base))];
        const reciprocal = problem.params.filter((p) => env!.reciprocals?.has(p)).map((p) => layout!.parameters[p]!.base);
        ctx.report(nonlinearDiagnostic(problem, names, [...new Set(reciprocal)], (ctx.facts.concentrations?.length ?? 0) > 0));
      });
      if (!poly) continue;
      polys.set(eq.state, poly);
      if ([...poly.values()].every((m) => m.params.length <= 1)) linear.set(eq.state, toLinearForm(poly));
    }
    ctx.facts.polys = polys;
    ctx.facts.linear = linear;
  },
};
