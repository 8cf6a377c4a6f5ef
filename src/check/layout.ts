// Flat numbering of states, dictionary terms and parameters, shared by the
// structure checks and by lowering so both agree on every index. `g[3]` of
// `states { g[1..20] }` is state `g3`; `W[g, Phi]` is one parameter per state
// of `g` and term of `Phi`, row by row.
import type { DictionaryDecl, ModelFile, ParameterDecl, StateDecl } from "../syntax/ast.js";
import { evaluateConstant } from "./expressions.js";

export interface FlatState {
  name: string;
  index: number;
  decl: StateDecl;
  /** The declared name (`g` for `g3`) and the element (3), if indexed. */
  group: string;
  element?: number;
}

export interface DictionaryTerm {
  /** `1`, `g3`, `g1*g7`: factors in declaration order. */
  name: string;
  factors: number[];
}

export interface FlatDictionary {
  name: string;
  decl: DictionaryDecl;
  over: number[];
  degree: number;
  constant: boolean;
  /** Its number of terms, counted before expanding (over MAX_DICTIONARY_TERMS: `terms` is left empty, N2010). */
  termCount: number;
  terms: DictionaryTerm[];
}

export interface FlatParameter {
  name: string;
  index: number;
  decl: ParameterDecl;
  /** Declared name (`W` for every element of `W[g, Phi]`). */
  base: string;
  dictionaryTerm?: { state: number; term: string };
}

export interface ParameterArray {
  rows: number[];
  dictionary: FlatDictionary;
  /** Flat parameter index of (row state, term position). */
  first: number;
}

export interface Layout {
  states: FlatState[];
  groups: Map<string, { from: number; to: number; indices: number[] }>;
  dictionaries: Map<string, FlatDictionary>;
  parameters: FlatParameter[];
  scalarParams: Map<string, number>;
  arrays: Map<string, ParameterArray>;
}

/** The state index of `name` or `name[element]`. */
export function stateIndex(layout: Layout, name: string, element?: number): number | undefined {
  const g = layout.groups.get(name);
  if (!g) return undefined;
  if (element === undefined) return g.indices.length === 1 && g.from === 0 ? g.indices[0] : undefined;
  return element >= g.from && element <= g.to ? g.indices[element - g.from] : undefined;
}

export function arrayParam(arr: ParameterArray, rowState: number, term: number): number | undefined {
  const row = arr.rows.indexOf(rowState);
  if (row < 0) return undefined;
  return arr.first + row * arr.dictionary.terms.length + term;
}

function namedArg(decl: DictionaryDecl, name: string) {
  return (decl.args ?? []).find((a) => a?.name?.text === name)?.value;
}

/** `degree` as written (1 when absent); undefined when it is not a whole number. */
export function dictionaryDegree(decl: DictionaryDecl): number | undefined {
  const v = namedArg(decl, "degree");
  if (!v) return 1;
  const d = evaluateConstant(v);
  return d !== undefined && Number.isInteger(d) && d >= 1 ? d : undefined;
}

/** `constant = true|false` (true when absent); undefined when it is something else. */
export function dictionaryConstant(decl: DictionaryDecl): boolean | undefined {
  const v = namedArg(decl, "constant");
  if (!v) return true;
  if (v.kind === "ref" && (v.name?.text === "true" || v.name?.text === "false")) return v.name.text === "true";
  return undefined;
}

/**
 * Terms a dictionary may have. Each is one coefficient per state it drives and a column of every subject's rows, so
 * far below this the selection is already slow; past it the expansion alone would exhaust memory (20 states at
 * degree 9 have 10 million monomials).
 */
export const MAX_DICTIONARY_TERMS = 5000;

/** The number of monomials of degree 1..`degree` over n variables (plus the constant): C(n + degree, degree) - 1 (+1). */
export function polynomialTermCount(n: number, degree: number, constant: boolean): number {
  let c = 1;
  for (let d = 1; d <= degree && c <= Number.MAX_SAFE_INTEGER; d++) c = (c * (n + d)) / d;
  return c - (constant ? 0 : 1);
}

/** Monomials up to `degree` over `over`, in graded order: 1, then x_j, then x_j x_k (j <= k), ... */
export function polynomialTerms(over: number[], names: string[], degree: number, constant: boolean): DictionaryTerm[] {
  const terms: DictionaryTerm[] = constant ? [{ name: "1", factors: [] }] : [];
  const extend = (prefix: number[], start: number, left: number): void => {
    if (left === 0) {
      terms.push({ name: prefix.map((i) => names[i]).join("*"), factors: prefix.map((i) => over[i]!) });
      return;
    }
    for (let j = start; j < over.length; j++) extend([...prefix, j], j, left - 1);
  };
  for (let d = 1; d <= degree; d++) extend([], 0, d);
  return terms;
}

export function buildLayout(ast: ModelFile): Layout {
  const states: FlatState[] = [];
  const groups = new Map<string, { from: number; to: number; indices: number[] }>();
  for (const decl of ast.states?.items ?? []) {
    if (!decl?.name?.text || groups.has(decl.name.text)) continue;
    const name = decl.name.text;
    if (decl.range && decl.range.from && decl.range.to) {
      const { value: from } = decl.range.from;
      const { value: to } = decl.range.to;
      const indices: number[] = [];
      for (let k = from; k <= to; k++) {
        indices.push(states.length);
        states.push({ name: `${name}${k}`, index: states.length, decl, group: name, element: k });
      }
      groups.set(name, { from, to, indices });
    } else {
      groups.set(name, { from: 0, to: 0, indices: [states.length] });
      states.push({ name, index: states.length, decl, group: name });
    }
  }

  const dictionaries = new Map<string, FlatDictionary>();
  for (const decl of ast.dictionaries ?? []) {
    if (!decl?.name?.text || dictionaries.has(decl.name.text)) continue;
    const over = (decl.over ?? []).flatMap((n) => groups.get(n?.text ?? "")?.indices ?? []);
    const degree = dictionaryDegree(decl) ?? 1;
    const constant = dictionaryConstant(decl) ?? true;
    const names = over.map((i) => states[i]!.name);
    const termCount = polynomialTermCount(over.length, degree, constant);
    const terms = termCount <= MAX_DICTIONARY_TERMS ? polynomialTerms(over, names, degree, constant) : [];
    dictionaries.set(decl.name.text, { name: decl.name.text, decl, over, degree, constant, termCount, terms });
  }

  const parameters: FlatParameter[] = [];
  const scalarParams = new Map<string, number>();
  const arrays = new Map<string, ParameterArray>();
  for (const decl of ast.parameters?.items ?? []) {
    const base = decl?.name?.text;
    if (!base || decl.initialOf || scalarParams.has(base) || arrays.has(base)) continue;
    if (decl.dims && decl.dims.length > 0) {
      const rows = groups.get(decl.dims[0]?.text ?? "")?.indices ?? [];
      const dictionary = dictionaries.get(decl.dims[1]?.text ?? "");
      if (!dictionary) continue;
      arrays.set(base, { rows, dictionary, first: parameters.length });
      for (const row of rows) {
        for (const term of dictionary.terms) {
          parameters.push({
            name: `${base}[${states[row]!.name}, ${term.name}]`,
            index: parameters.length,
            decl,
            base,
            dictionaryTerm: { state: row, term: term.name },
          });
        }
      }
    } else {
      scalarParams.set(base, parameters.length);
      parameters.push({ name: base, index: parameters.length, decl, base });
    }
  }
  return { states, groups, dictionaries, parameters, scalarParams, arrays };
}
