// What every check rule sees: the AST, the scope built from its declarations,
// facts computed by earlier rules (expanded equations, linear forms) and a
// sink for diagnostics. Rules report; they never throw.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { ModelFile } from "../syntax/ast.js";
import type { Scope } from "./scope.js";
import type { Layout } from "./layout.js";
import type { ExpandedModel } from "./expand-loops.js";
import type { LinearForm, Poly } from "./polynomial.js";
import type { Env } from "./linearise.js";
import type { LatentElimination } from "./report-latent-states.js";
import type { ObservationFact } from "./report-observations.js";
import type { ConcentrationRewrite } from "./rewrite-concentrations.js";
import type { DoseCoefficient } from "./analyse-doses.js";

export interface CheckFacts {
  layout?: Layout;
  expanded?: ExpandedModel;
  env?: Env;
  /** Each expanded equation as a polynomial in the parameters, by flat state index (absent when nonlinear). */
  polys?: Map<number, Poly>;
  /** Linear decomposition of each expanded equation, by flat state index. */
  linear?: Map<number, LinearForm>;
  latent?: Map<number, LatentElimination>;
  observations?: ObservationFact[];
  /** Parameters used only as divisors (`x / V`): their coefficient is 1/V. By flat parameter index. */
  reciprocals?: Set<number>;
  /** Observations rewritten to concentration states (`conc = A / V` -> `conc = A`, doses scaled by 1/V). */
  concentrations?: ConcentrationRewrite[];
  /** Per dose jump (in `doses` order), the amount as `amt` times a known scale and at most one coefficient. */
  doseCoefficients?: Map<number, DoseCoefficient>;
}

export interface CheckContext {
  /** Rules of the structure stage may replace it by an equivalent model (see rewrite-concentrations.ts). */
  ast: ModelFile;
  readonly scope: Scope;
  readonly diagnostics: Diagnostic[];
  readonly facts: CheckFacts;
  report(diagnostic: Diagnostic): void;
}

export interface Rule {
  /** Verb-first, same as its file name: `report-unknown-names`. */
  name: string;
  run(ctx: CheckContext): void;
}

export interface Stage {
  name: string;
  rules: Rule[];
}

export function createContext(ast: ModelFile, scope: Scope): CheckContext {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  return {
    ast,
    scope,
    diagnostics,
    facts: {},
    // Loop expansion can reach the same source twice (`for i in 1..40`): one report per place and message.
    report(d) {
      const key = `${d.code}:${d.span.start}:${d.span.end}:${d.message}`;
      if (seen.has(key)) return;
      seen.add(key);
      diagnostics.push(d);
    },
  };
}
