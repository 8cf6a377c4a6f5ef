// IR -> one standalone TypeScript module: the model's metadata and
// straight-line specialised functions (Theta, c, their Jacobians, the
// observed-scale rows, f, h, h^-1, derived quantities) behind the runtime's
// `CompiledModel` interface. Structures are ts-morph's, printed by our own
// small printer (ts-morph would load the TypeScript compiler), and the text is
// formatted once by prettier.
// The module imports only the runtime's entry point.
import type * as prettier from "prettier";
import type * as TsMorph from "ts-morph";
import type { FunctionDeclarationStructure, StatementStructures } from "ts-morph";
import type { CovariateEffectIr, ModelIr, Transform } from "../ir/model.js";
import { formatNumber } from "../ir/print-expr.js";
import { commentText, emitBody, type Body } from "./emit-body.js";
import { literal, Raw, type Plain } from "./literal.js";
import type { ParameterMeta } from "../runtime/model.js";
import { buildMeta, covariateValueCode } from "./meta.js";
import { specialise, type Entry } from "./specialise.js";
import { printStructure, StructureKind, VariableDeclarationKind } from "./print-structures.js";

export interface EmitOptions {
  /** Spec path shown in the header; default `specs/<model>.nlme`. */
  source?: string;
  /** Import path of the runtime entry point, relative to the generated file. */
  runtimeImport?: string;
  /**
   * Runtime functions to wrap as module exports with this model bound as the
   * first argument: `"simulate"` exports `simulate(...rest)`, `"estimate:fit"`
   * exports `estimate(...rest)` calling the runtime's `fit(model, ...rest)`.
   */
  entryPoints?: string[];
  /** Options passed to prettier (over its defaults); `false` skips formatting. */
  prettier?: prettier.Options | false;
  /** False: JavaScript, without type annotations (the CLI's cache). Default true. */
  types?: boolean;
}

export const DEFAULT_RUNTIME_IMPORT = "../src/runtime/index.js";

/** Names the module defines at top level; entry points may not reuse them. */
const RESERVED = new Set([
  "model",
  "meta",
  "runtime",
  "dictionary",
  "drift",
  "dictionaryJacobian",
  "driftJacobian",
  "observedDictionary",
  "observedDrift",
  "rhs",
  "observe",
  "invert",
  "derived",
  "coefficient",
  // Words that cannot name a function.
  ...["break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export", "extends"],
  ...["false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this"],
  ...["throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static", "implements", "interface", "package"],
  ...["private", "protected", "public", "await", "arguments", "eval"],
]);

type Kinds = typeof TsMorph.StructureKind;
export async function emitModule(ir: ModelIr, options: EmitOptions = {}): Promise<string> {
  const text = await printModule(ir, options);
  if (options.prettier === false) return text;
  // A `.ts` file path spares prettier's typescript parser its JSX sniffing, a
  // multiline regular expression that is quadratic on long generated bodies.
  // Loaded here, not at the top: the CLI's own cache skips formatting and should not pay prettier's load.
  const { format } = await import("prettier");
  return format(text, { ...options.prettier, parser: "typescript", filepath: `${ir.name}.ts` });
}

/** The module text before formatting. */
export async function printModule(ir: ModelIr, options: EmitOptions = {}): Promise<string> {
  const source = options.source ?? `specs/${ir.name}.nlme`;
  const runtimeImport = options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT;
  const entries = (options.entryPoints ?? []).map(parseEntryPoint);
  const twice = entries.find((e, i) => entries.findIndex((f) => f.name === e.name) !== i);
  if (twice) throw new Error(`entry point "${twice.name}" is listed twice`);
  const spec = specialise(ir);
  const d = spec.nStates;
  const p = spec.nParams;

  const constants = constantNames(ir);
  const covariateIndex = (name: string): number => {
    const i = ir.covariates.indexOf(name);
    if (i < 0) throw new Error(`unknown covariate ${name} in the IR of ${ir.name}`);
    return i;
  };
  const usedConstants = new Set<string>();
  const constantName = (name: string, value: number): string => {
    const c = constants.find((x) => x.name === name);
    // A constant the IR does not declare is still a known value: inline it.
    if (!c) return formatNumber(value, "ts");
    usedConstants.add(c.identifier);
    return c.identifier;
  };
  const body = (list: Entry[], size: number): Body => emitBody(list, { size, constantName, covariateIndex });

  const fns: FunctionDeclarationStructure[] = [
    fn(StructureKind, "dictionary", "Theta(x, t): d x p, row-major.", body(spec.dictionary, d * p), ["x", "t", "env", "out"]),
    fn(StructureKind, "drift", "c(x, t): the parameter-free part.", body(spec.drift, d), ["x", "t", "env", "out"]),
    fn(StructureKind, "dictionaryJacobian", "d Theta_kj / d x_l at [(k * p + j) * d + l].", body(spec.dictionaryJacobian, d * p * d), ["x", "t", "env", "out"]),
    fn(StructureKind, "driftJacobian", "d c_k / d x_l at [k * d + l].", body(spec.driftJacobian, d * d), ["x", "t", "env", "out"]),
  ];
  if (spec.observedDictionary && spec.observedDrift) {
    fns.push(
      fn(StructureKind, "observedDictionary", "Rows of Theta times h'(x_k) for each observed state k.", body(spec.observedDictionary, d * p), ["x", "t", "env", "out"]),
      fn(StructureKind, "observedDrift", "Rows of c times h'(x_k) for each observed state k.", body(spec.observedDrift, d), ["x", "t", "env", "out"]),
    );
  }
  fns.push(
    fn(StructureKind, "rhs", "The full right-hand side f(x, theta, t), for simulation.", body(spec.rhs, d), ["x", "theta", "t", "env", "out"]),
    fn(StructureKind, "observe", "y = h(x), one value per observation.", body(spec.observe, ir.observations.length), ["x", "out"]),
    invertFunction(StructureKind, ir.observations.map((o) => o.transform), ir.observations.map((o) => o.name)),
    fn(StructureKind, "derived", "Derived quantities, in `meta.derived` order.", body(spec.derived, ir.derived.length), ["theta", "out"]),
  );

  const identityScale = spec.observedDictionary === undefined;
  const members = [
    "meta",
    `nStates: ${d}`,
    `nParams: ${p}`,
    "dictionary",
    "drift",
    "dictionaryJacobian",
    "driftJacobian",
    identityScale ? "observedDictionary: dictionary" : "observedDictionary",
    identityScale ? "observedDrift: drift" : "observedDrift",
    "rhs",
    "observe",
    "invert",
    "derived",
  ];

  const meta = buildMeta(ir);
  const coefficients = coefficientHelper(StructureKind, meta.parameters);
  const statements: (string | StatementStructures)[] = [
    `// @generated by weakform-nlme from ${commentText(source)}. DO NOT EDIT.`,
    `// Model ${commentText(ir.name)}: ${plural(d, "state")}, ${plural(p, "parameter")}, ${plural(ir.observations.length, "observation")}.`,
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: runtimeImport,
      namedImports: coefficients ? ["CompiledModel", "Env", "ModelMeta", "ParameterMeta"] : ["CompiledModel", "Env", "ModelMeta"],
    },
  ];
  if (entries.length > 0) {
    statements.push({ kind: StructureKind.ImportDeclaration, moduleSpecifier: runtimeImport, namespaceImport: "runtime" });
  }
  let first = true;
  for (const c of constants) {
    if (!usedConstants.has(c.identifier)) continue;
    const gap = first ? "\n" : "";
    first = false;
    statements.push({
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: c.identifier, initializer: formatNumber(c.value, "ts") }],
      leadingTrivia: `${gap}// constant ${commentText(c.name)}${c.doc ? `: ${commentText(c.doc)}` : ""}\n`,
    });
  }
  if (coefficients) statements.push(coefficients.declaration);
  // A continuous covariate effect's `value` is code: printed from the IR, not from the in-process function.
  const withValueCode = <E>(effects: E[], irEffects: CovariateEffectIr[]): E[] =>
    effects.map((e, i) => {
      const effect = irEffects[i]!;
      return effect.kind === "continuous" ? { ...e, value: new Raw(covariateValueCode(ir, effect)) } : e;
    });
  const withCode = meta.parameters.map((q, j) =>
    q.covariateEffects === undefined ? q : { ...q, covariateEffects: withValueCode(q.covariateEffects, ir.parameters[j]!.covariateEffects!) },
  );
  const statesWithCode = meta.states.map((st, k) =>
    st.initialCovariateEffects === undefined ? st : { ...st, initialCovariateEffects: withValueCode(st.initialCovariateEffects, ir.states[k]!.initialCovariateEffects!) },
  );
  const metaPlain = { ...meta, states: statesWithCode, parameters: withCode.map((q) => coefficients?.call(q as ParameterMeta) ?? q) } as unknown as Plain;
  statements.push(
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: "meta", type: "ModelMeta", initializer: literal(metaPlain) }],
      leadingTrivia: "\n",
    },
    ...fns,
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name: "model", type: "CompiledModel", initializer: `{ ${members.join(", ")} }` }],
    },
    "export default model;",
  );
  for (const e of entries) {
    statements.push({
      kind: StructureKind.Function,
      isExported: true,
      name: e.name,
      parameters: [{ name: "args", isRestParameter: true, type: `runtime.RestOf<typeof runtime.${e.target}>` }],
      returnType: `ReturnType<typeof runtime.${e.target}>`,
      statements: [`return runtime.${e.target}(model, ...args);`],
    });
  }
  return printStructure({ kind: StructureKind.SourceFile, statements }, { indentNumberOfSpaces: 2, types: options.types ?? true });
}

/**
 * Dictionary models have hundreds of coefficients whose metadata differ only
 * in name, equation and term: one short helper call per coefficient keeps the
 * table one line each (and the module quick to format).
 */
function coefficientHelper(StructureKind: Kinds, parameters: ParameterMeta[]): { declaration: StatementStructures; call: (q: ParameterMeta) => Raw | undefined } | undefined {
  const plain = parameters.filter((q) => q.dictionaryTerm !== undefined && q.doc === undefined);
  if (plain.length < 8) return undefined;
  const counts = new Map<string, number>();
  for (const q of plain) counts.set(`${q.variability} ${q.distribution}`, (counts.get(`${q.variability} ${q.distribution}`) ?? 0) + 1);
  const [common] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
  const [variability, distribution] = common.split(" ") as [ParameterMeta["variability"], ParameterMeta["distribution"]];
  return {
    declaration: {
      kind: StructureKind.Function,
      name: "coefficient",
      docs: [`Metadata of a dictionary coefficient (${variability}, ${distribution}).`],
      parameters: [
        { name: "name", type: "string" },
        { name: "state", type: "number" },
        { name: "term", type: "string" },
      ],
      returnType: "ParameterMeta",
      statements: [`return { name, variability: ${JSON.stringify(variability)}, distribution: ${JSON.stringify(distribution)}, dictionaryTerm: { state, term } };`],
    },
    call: (q) =>
      q.dictionaryTerm !== undefined && q.doc === undefined && q.variability === variability && q.distribution === distribution
        ? new Raw(`coefficient(${literal(q.name)}, ${q.dictionaryTerm.state}, ${literal(q.dictionaryTerm.term)})`)
        : undefined,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const PARAM_TYPES: Record<string, string> = { x: "Float64Array", theta: "Float64Array", t: "number", env: "Env", out: "Float64Array" };

function fn(StructureKind: Kinds, name: string, doc: string, body: Body, params: string[]): FunctionDeclarationStructure {
  const used = (p: string): boolean => body.uses[p as keyof Body["uses"]];
  return {
    kind: StructureKind.Function,
    name,
    docs: [doc],
    parameters: params.map((p) => ({ name: used(p) ? p : `_${p}`, type: PARAM_TYPES[p]! })),
    returnType: "void",
    statements: body.statements,
  };
}

function invertFunction(StructureKind: Kinds, transforms: Transform[], names: string[]): FunctionDeclarationStructure {
  const cases = transforms.map((t, o) => `case ${o}: // ${commentText(names[o]!)}\nreturn ${inverseText(t)};`);
  return {
    kind: StructureKind.Function,
    name: "invert",
    docs: ["x = h^-1(y) for the state of observation `o`."],
    parameters: [
      { name: "o", type: "number" },
      { name: transforms.length > 0 ? "y" : "_y", type: "number" },
    ],
    returnType: "number",
    statements: [
      `switch (o) {\n${cases.join("\n")}\ndefault:\nthrow new RangeError(\`no observation \${o} in this model\`);\n}`,
    ],
  };
}

function inverseText(t: Transform): string {
  switch (t.kind) {
    case "identity":
      return "y";
    case "log":
      return "Math.exp(y)";
    case "log10":
      return "10 ** y";
    case "exp":
      return "Math.log(y)";
    case "affine": {
      const shifted = t.offset === 0 ? "y" : t.offset < 0 ? `(y + ${formatNumber(-t.offset)})` : `(y - ${formatNumber(t.offset)})`;
      return t.scale === 1 ? shifted.replace(/^\((.*)\)$/, "$1") : `${shifted} / ${paren(formatNumber(t.scale))}`;
    }
  }
}

function paren(text: string): string {
  return text.startsWith("-") ? `(${text})` : text;
}

interface NamedConstant {
  name: string;
  value: number;
  doc?: string;
  identifier: string;
}

/**
 * Module-level identifiers for the spec's constants: `k_` + the name with
 * anything but [A-Za-z0-9_] replaced, so that no spec name can be a reserved
 * word, shadow a global such as `Math`, or meet a local of the generated code.
 */
function constantNames(ir: ModelIr): NamedConstant[] {
  const taken = new Set<string>();
  return ir.constants.map((c) => {
    const base = `k_${c.name.replace(/[^A-Za-z0-9_]/g, "_")}`;
    let identifier = base;
    for (let n = 2; taken.has(identifier); n++) identifier = `${base}_${n}`;
    taken.add(identifier);
    return { name: c.name, value: c.value, ...(c.doc === undefined ? {} : { doc: c.doc }), identifier };
  });
}

function parseEntryPoint(spec: string): { name: string; target: string } {
  const [name, target = name] = spec.split(":");
  const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  if (!name || !identifier.test(name) || !identifier.test(target) || RESERVED.has(name)) {
    throw new Error(`bad entry point "${spec}": expected "name" or "name:runtimeExport" with a name not already used by the module`);
  }
  return { name, target };
}
