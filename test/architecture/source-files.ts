// Shared by the architecture tests: the repository's TypeScript files and the
// module specifiers each imports, read from the import lines themselves.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");

/** Every .ts file under a repository folder, as repository paths. */
export function files(dir: string): string[] {
  const abs = join(root, dir);
  return readdirSync(abs).flatMap((name) => {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) return files(relative(root, path));
    return name.endsWith(".ts") ? [relative(root, path)] : [];
  });
}

/** Every module specifier a file imports (type-only imports and re-exports included), resolved to a repository path when relative. */
export function imports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g), ...text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
  return specs.map((s) => (s.startsWith(".") ? relative(root, resolve(root, dirname(file), s)) : s));
}

/**
 * The specifiers a file imports for their values: without `import type`,
 * `export type ... from`, or braces whose every name is marked `type`
 * (those vanish at run time and do not order module loading).
 */
export function valueImports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const typeOnly = (clause: string): boolean => {
    if (/^\s*(?:import|export)\s+type\b/.test(clause)) return true;
    const braces = clause.match(/\{([^}]*)\}/);
    if (!braces || /^\s*import\s+[\w$]+\s*,/.test(clause) || /\*\s+as/.test(clause)) return false;
    const names = braces[1]!.split(",").map((n) => n.trim()).filter((n) => n.length > 0);
    return names.length > 0 && names.every((n) => n.startsWith("type "));
  };
  const specs = [...text.matchAll(/(?:^|\n)(\s*(?:import|export)[^;]*?)from\s+"([^"]+)"/g)].filter((m) => !typeOnly(m[1]!)).map((m) => m[2]!);
  specs.push(...[...text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!));
  return specs.map((s) => (s.startsWith(".") ? relative(root, resolve(root, dirname(file), s)) : s));
}

/** A relative import's target as the .ts file it names (the sources import "./x.js"). */
export function sourceOf(target: string): string {
  return target.replace(/\.js$/, ".ts");
}
