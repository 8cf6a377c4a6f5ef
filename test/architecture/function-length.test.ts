// No function over 120 lines in the estimator (src/runtime/{estimate,rows,population}):
// a longer one is several steps that deserve names. Functions are read with
// the TypeScript compiler (ts-morph); a nested function counts in its parent too.
import { Node, Project, type SourceFile } from "ts-morph";
import { describe, expect, it } from "vitest";
import { root } from "./source-files.js";

const MAX_LINES = 120;
const FOLDERS = ["estimate", "rows", "population"];

function longFunctions(sources: SourceFile[], max: number): string[] {
  const out: string[] = [];
  for (const sf of sources)
    sf.forEachDescendant((n) => {
      if (!(Node.isFunctionDeclaration(n) || Node.isMethodDeclaration(n) || Node.isArrowFunction(n) || Node.isFunctionExpression(n) || Node.isConstructorDeclaration(n) || Node.isGetAccessorDeclaration(n)))
        return;
      const lines = n.getEndLineNumber() - n.getStartLineNumber() + 1;
      if (lines > max) out.push(`${sf.getFilePath().slice(root.length + 1)}:${n.getStartLineNumber()} is ${lines} lines`);
    });
  return out;
}

describe("function length", () => {
  it(`no function over ${MAX_LINES} lines in src/runtime/{${FOLDERS.join(",")}}`, () => {
    const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    const sources = project.addSourceFilesAtPaths(FOLDERS.map((f) => `${root}/src/runtime/${f}/**/*.ts`));
    expect(sources.length).toBeGreaterThan(10);
    expect(longFunctions(sources, MAX_LINES)).toEqual([]);
  });

  it("the check sees a long arrow function inside a short file", () => {
    const project = new Project({ useInMemoryFileSystem: true });
    const body = Array.from({ length: 130 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    const sf = project.createSourceFile("x.ts", `export const f = () => {\n${body}\n};\nexport function g() { return 1; }\n`);
    expect(longFunctions([sf], MAX_LINES)).toHaveLength(1);
  });
});
