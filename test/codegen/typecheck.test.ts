// Generated code type-checks under strict settings (the repository's own,
// plus the unused-parameter and optional-property checks it does not turn
// on). `noUncheckedIndexedAccess` is left off: generated code indexes typed
// arrays at lengths the model fixes, and `!` on every read would be noise.
import { join } from "node:path";
import { Project, ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { emitModule } from "../../src/codegen/emit-module.js";
import { fixtures } from "./fixtures/index.js";
import { RUNTIME_IMPORT_FROM_TEST, writeGenerated } from "./support/load-generated.js";
import { REPO, SPEC_FILES, specIr } from "./support/specs.js";

describe("generated code type-checks", () => {
  it("for every spec, every fixture and the committed generated/", async () => {
    const paths: string[] = [];
    for (const ir of [...fixtures, ...SPEC_FILES.map(specIr)]) {
      paths.push(writeGenerated(`typecheck_${ir.name}`, await emitModule(ir, { runtimeImport: RUNTIME_IMPORT_FROM_TEST })));
    }
    const project = new Project({
      skipAddingFilesFromTsConfig: true,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ["lib.es2022.d.ts"],
        types: ["node"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        isolatedModules: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        noImplicitReturns: true,
        noFallthroughCasesInSwitch: true,
        exactOptionalPropertyTypes: true,
        noPropertyAccessFromIndexSignature: true,
      },
    });
    const files = [...paths.map((p) => project.addSourceFileAtPath(p)), ...project.addSourceFilesAtPaths(join(REPO, "generated", "*.ts"))];
    expect(files.length).toBeGreaterThan(paths.length);
    const checked = new Set(files.map((f) => f.getFilePath()));
    const diagnostics = project.getPreEmitDiagnostics().filter((d) => {
      const path = d.getSourceFile()?.getFilePath();
      return path !== undefined && checked.has(path);
    });
    const text = project.formatDiagnosticsWithColorAndContext(diagnostics);
    expect(diagnostics.length, text).toBe(0);
  });
});
