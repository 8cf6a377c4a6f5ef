// Generated code type-checks under strict settings: the repository's own,
// plus the unused-parameter, optional-property and index-signature checks it
// does not turn on. `noUncheckedIndexedAccess` stays off: generated code
// indexes typed arrays at lengths the model fixes, and `!` on every read would
// be noise. The check runs in memory against the runtime's contract file
// (src/runtime/model.ts) alone, which is all a generated module's `model`
// may rely on; the committed generated/, whose entry points wrap runtime
// functions, is checked against the real runtime.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Project, ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { emitModule } from "../../src/codegen/emit-module.js";
import { fixtures } from "./fixtures/index.js";
import { REPO, SPEC_FILES } from "./support/specs.js";

const STRICT = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts"],
  strict: true,
  noEmit: true,
  isolatedModules: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noImplicitOverride: true,
};

function contractProject(): Project {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { ...STRICT, types: [] },
  });
  project.createSourceFile("/repo/package.json", '{ "type": "module" }');
  project.createSourceFile("/repo/src/runtime/model.ts", readFileSync(join(REPO, "src/runtime/model.ts"), "utf8"));
  project.createSourceFile("/repo/src/runtime/index.ts", 'export type * from "./model.js";\n');
  return project;
}

function diagnosticsOf(project: Project, paths: string[]): string {
  const program = project.getProgram();
  const files = paths.map((p) => project.getSourceFileOrThrow(p));
  const diagnostics = files.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]);
  return project.formatDiagnosticsWithColorAndContext(diagnostics);
}

describe("generated code type-checks", () => {
  // The specs are covered by the next test: generated/ is what they compile to
  // (see the staleness test in write-generated.test.ts).
  it("for every fixture, against the runtime contract alone", async () => {
    const project = contractProject();
    const paths: string[] = [];
    for (const ir of fixtures) {
      const path = `/repo/generated/${ir.name}.ts`;
      project.createSourceFile(path, await emitModule(ir), { overwrite: true });
      paths.push(path);
    }
    expect(diagnosticsOf(project, paths)).toBe("");
  });

  it("for the committed generated/ (with its entry points), against the real runtime", () => {
    const project = new Project({ skipAddingFilesFromTsConfig: true, compilerOptions: { ...STRICT, types: ["node"], skipLibCheck: true } });
    const files = project.addSourceFilesAtPaths(join(REPO, "generated", "*.ts"));
    expect(files.map((f) => f.getBaseName())).toEqual(expect.arrayContaining(SPEC_FILES.map((f) => f.replace(/^specs\/(.*)\.nlme$/, "$1.ts"))));
    expect(diagnosticsOf(project, files.map((f) => f.getFilePath()))).toBe("");
  });

  it("reports errors (the check is not vacuous)", async () => {
    const project = contractProject();
    const text = (await emitModule(fixtures[0]!)).replace("nParams: 2", 'nParams: "2"');
    project.createSourceFile("/repo/generated/broken.ts", text);
    expect(diagnosticsOf(project, ["/repo/generated/broken.ts"])).toMatch(/TS2322/);
  });
});
