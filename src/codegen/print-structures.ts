// Prints the few ts-morph statement structures the emitter builds (imports,
// `const` statements, function declarations) as ts-morph's `printStructure`
// would, without loading ts-morph: that loads the whole TypeScript compiler,
// most of the time `nlme compile` took. Layout is left to prettier, which
// keeps only what it cannot infer: where blank lines are. So this printer puts
// them where ts-morph does (around functions, and as `leadingTrivia` says).
//
// With `types: false` it prints JavaScript: type-only imports, annotations and
// return types dropped. The bodies the emitter writes are type-free, so that is
// the whole difference, and the CLI's cache of compiled models needs no
// TypeScript compiler either.
import type {
  FunctionDeclarationStructure,
  ImportDeclarationStructure,
  SourceFileStructure,
  StatementStructures,
  StructureKind as Kinds,
  VariableDeclarationKind as DeclarationKinds,
  VariableStatementStructure,
} from "ts-morph";

/** ts-morph's enum values, so that the emitter's structures type-check against ts-morph's own types. */
export const StructureKind = { Function: 13, ImportDeclaration: 16, SourceFile: 36, VariableStatement: 41 } as unknown as typeof Kinds;
export const VariableDeclarationKind = { Const: "const", Let: "let", Var: "var" } as unknown as typeof DeclarationKinds;

export interface PrintOptions {
  indentNumberOfSpaces?: number;
  /** False: print JavaScript (no type-only imports, no annotations). Default true. */
  types?: boolean;
}

type Statement = string | StatementStructures;

export function printStructure(file: SourceFileStructure, options: PrintOptions = {}): string {
  const indent = " ".repeat(options.indentNumberOfSpaces ?? 4);
  const types = options.types ?? true;
  const out: string[] = [];
  let afterFunction = false;
  const blankLine = (): void => {
    if (out.length > 0 && !out[out.length - 1]!.endsWith("\n\n")) out.push("\n");
  };
  for (const statement of (file.statements ?? []) as Statement[]) {
    if (typeof statement === "string") {
      if (afterFunction) blankLine();
      out.push(`${statement}\n`);
      afterFunction = false;
      continue;
    }
    switch (statement.kind) {
      case StructureKind.ImportDeclaration:
        if (afterFunction) blankLine();
        out.push(importDeclaration(statement as ImportDeclarationStructure, types));
        afterFunction = false;
        break;
      case StructureKind.VariableStatement:
        if (afterFunction) blankLine();
        out.push(variableStatement(statement as VariableStatementStructure, types));
        afterFunction = false;
        break;
      case StructureKind.Function:
        blankLine();
        out.push(functionDeclaration(statement as FunctionDeclarationStructure, indent, types));
        afterFunction = true;
        break;
      default:
        throw new Error(`printStructure: no printer for structure kind ${statement.kind}`);
    }
  }
  return out.join("");
}

function importDeclaration(s: ImportDeclarationStructure, types: boolean): string {
  if (s.isTypeOnly && !types) return "";
  const from = ` from ${JSON.stringify(s.moduleSpecifier)};\n`;
  if (s.namespaceImport !== undefined) return `import ${s.isTypeOnly ? "type " : ""}* as ${s.namespaceImport}${from}`;
  const names = ((s.namedImports ?? []) as unknown[]).map((n) => {
    if (typeof n !== "string") throw new Error("printStructure: import specifiers must be names");
    return n;
  });
  return `import ${s.isTypeOnly ? "type " : ""}{ ${names.join(", ")} }${from}`;
}

function variableStatement(s: VariableStatementStructure, types: boolean): string {
  const declarations = s.declarations.map((d) => {
    const type = types && d.type !== undefined ? `: ${text(d.type)}` : "";
    return `${d.name}${type}${d.initializer !== undefined ? ` = ${text(d.initializer)}` : ""}`;
  });
  const trivia = s.leadingTrivia === undefined ? "" : text(s.leadingTrivia);
  return `${trivia}${s.isExported ? "export " : ""}${s.declarationKind ?? "let"} ${declarations.join(", ")};\n`;
}

function functionDeclaration(s: FunctionDeclarationStructure, indent: string, types: boolean): string {
  const docs = (s.docs ?? []).map((d) => {
    if (typeof d !== "string") throw new Error("printStructure: docs must be strings");
    return d.includes("\n") ? `/**\n${d.split("\n").map((l) => ` * ${l}`.trimEnd()).join("\n")}\n */\n` : `/** ${d} */\n`;
  });
  const parameters = (s.parameters ?? []).map((p) => `${p.isRestParameter ? "..." : ""}${p.name}${types && p.type !== undefined ? `: ${text(p.type)}` : ""}`);
  const returnType = types && s.returnType !== undefined ? `: ${text(s.returnType)}` : "";
  const body = ((s.statements ?? []) as unknown[]).map((b) => {
    if (typeof b !== "string") throw new Error("printStructure: function bodies must be strings");
    return b
      .split("\n")
      .map((line) => (line === "" ? "" : `${indent}${line}`))
      .join("\n");
  });
  const head = `${s.isExported ? "export " : ""}function ${s.name}(${parameters.join(", ")})${returnType} {\n`;
  return `${docs.join("")}${head}${body.map((b) => `${b}\n`).join("")}}\n`;
}

function text(value: unknown): string {
  if (typeof value !== "string") throw new Error("printStructure: only text types and initializers are printed");
  return value;
}
