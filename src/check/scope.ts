// Every name a model declares, by kind. Built once before the rules run and
// tolerant of broken input: the first declaration of a name wins, later ones
// stay in `declarations` so duplicate checks can point at both.
import type {
  ConstantDecl, CovariateDecl, DerivedDecl, DictionaryDecl, DoseVector, ModelFile, Name, ParameterDecl, StateDecl, TimeDecl,
} from "../syntax/ast.js";

export type Entity =
  | { kind: "time"; name: Name; decl?: TimeDecl }
  | { kind: "state"; name: Name; decl: StateDecl; range?: { from: number; to: number } }
  | { kind: "constant"; name: Name; decl: ConstantDecl }
  | { kind: "covariate"; name: Name; decl: CovariateDecl }
  | { kind: "parameter"; name: Name; decl: ParameterDecl }
  | { kind: "derived"; name: Name; decl: DerivedDecl }
  | { kind: "dictionary"; name: Name; decl: DictionaryDecl }
  | { kind: "doseVector"; name: Name; decl: DoseVector };

export type EntityKind = Entity["kind"];

/** How a kind is named in messages, and the section that declares it. */
export const kindWords: Record<EntityKind, { noun: string; section: string }> = {
  time: { noun: "time variable", section: "time" },
  state: { noun: "state", section: "states" },
  constant: { noun: "constant", section: "constants" },
  covariate: { noun: "covariate", section: "covariates" },
  parameter: { noun: "parameter", section: "parameters" },
  derived: { noun: "derived quantity", section: "derived" },
  dictionary: { noun: "dictionary", section: "dictionary" },
  doseVector: { noun: "dose vector", section: "doses" },
};

export const SINCE_DOSE = "since_dose";
export const AMT = "amt";
export const BUILTIN_FUNCTIONS: Record<string, number> = { exp: 1, log: 1, log10: 1, sqrt: 1, abs: 1, sin: 1, cos: 1 };
export const DISTRIBUTIONS = ["logNormal", "normal", "logitNormal"] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];
/** The words after `~` in `parameters` (`random` is the older spelling of `normal`). */
export const DISTRIBUTION_WORDS = ["lognormal", "normal", "random"] as const;

export interface Scope {
  /** First declaration of each name. */
  names: Map<string, Entity>;
  /** Every declaration in source order, duplicates included. */
  declarations: Entity[];
  timeName: string;
  /** `X(0) = v` entries of `constants`. */
  initialValues: ConstantDecl[];
  /** `X(0) ~ lognormal` entries of `parameters`: how an estimated initial value varies. */
  initialVariability: ParameterDecl[];
}

const valid = (n: Name | undefined): n is Name => n !== undefined && typeof n.text === "string" && n.text.length > 0;

export function buildScope(ast: ModelFile): Scope {
  const declarations: Entity[] = [];
  const initialValues: ConstantDecl[] = [];
  const initialVariability: ParameterDecl[] = [];
  const timeName = valid(ast.time?.name) ? ast.time!.name.text : "t";
  if (valid(ast.time?.name)) declarations.push({ kind: "time", name: ast.time!.name, decl: ast.time });
  for (const d of ast.states?.items ?? []) {
    if (!valid(d?.name)) continue;
    const from = d.range?.from?.value;
    const to = d.range?.to?.value;
    declarations.push({ kind: "state", name: d.name, decl: d, range: d.range && from !== undefined && to !== undefined ? { from, to } : undefined });
  }
  for (const d of ast.constants?.items ?? []) {
    if (!valid(d?.name)) continue;
    if (d.initialOf) initialValues.push(d);
    else declarations.push({ kind: "constant", name: d.name, decl: d });
  }
  for (const d of ast.covariates?.items ?? []) if (valid(d?.name)) declarations.push({ kind: "covariate", name: d.name, decl: d });
  for (const d of ast.parameters?.items ?? []) {
    if (!valid(d?.name)) continue;
    if (d.initialOf) initialVariability.push(d);
    else declarations.push({ kind: "parameter", name: d.name, decl: d });
  }
  for (const d of ast.doses?.items ?? []) if (d?.kind === "vector" && valid(d.name)) declarations.push({ kind: "doseVector", name: d.name, decl: d });
  for (const d of ast.derived?.items ?? []) if (valid(d?.name)) declarations.push({ kind: "derived", name: d.name, decl: d });
  for (const d of ast.dictionaries ?? []) if (valid(d?.name)) declarations.push({ kind: "dictionary", name: d.name, decl: d });
  const names = new Map<string, Entity>();
  for (const e of declarations) if (!names.has(e.name.text)) names.set(e.name.text, e);
  return { names, declarations, timeName, initialValues, initialVariability };
}

/** Names of the given kinds, for suggestions scoped to what fits at the use site. */
export function namesOfKind(scope: Scope, kinds: readonly EntityKind[]): string[] {
  return [...scope.names.values()].filter((e) => kinds.includes(e.kind)).map((e) => e.name.text);
}
