// No import cycles: a cycle makes module initialisation order-dependent and
// means two modules are one job split in two places. In src/runtime type-only
// imports count too (they tie modules just as tightly for a reader); in the
// rest of src/ only value imports do, for now: the checker's rule context and
// the diagnostics code registry still have type-only cycles (see docs/design.md).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { files, imports, root, sourceOf, valueImports } from "./source-files.js";

/** Strongly connected components with more than one module (or a module importing itself), by Tarjan's algorithm. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

function sourceGraph(dir: string, read: (file: string) => string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files(dir)) {
    const targets = read(f)
      .filter((i) => i.startsWith("src/"))
      .map(sourceOf)
      .filter((t) => existsSync(join(root, t)));
    graph.set(f, targets);
  }
  return graph;
}

describe("import cycles", () => {
  it("src/runtime has none, type-only imports included", () => {
    expect(cycles(sourceGraph("src/runtime", imports))).toEqual([]);
  });

  it("src/ has none through value imports", () => {
    expect(cycles(sourceGraph("src", valueImports))).toEqual([]);
  });

  it("type-only imports are told from value imports", () => {
    const graph = sourceGraph("src", imports);
    const values = sourceGraph("src", valueImports);
    // estimate/fit-latent.ts reads FitOptions as a type only, fitLatent is a value of estimate/fit.ts.
    expect(graph.get("src/runtime/estimate/fit-latent.ts")).toContain("src/runtime/estimate/options.ts");
    expect(values.get("src/runtime/estimate/fit-latent.ts")).not.toContain("src/runtime/estimate/options.ts");
    expect(values.get("src/runtime/estimate/fit.ts")).toContain("src/runtime/estimate/fit-latent.ts");
  });

  it("the check finds a cycle when there is one", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(cycles(graph)).toEqual([["a", "b", "c"]]);
  });
});
