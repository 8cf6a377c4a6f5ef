// Shared test helpers for the syntax stage.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));

/** Removes positions, recovery marks and comments: what "the same model" means for fmt round trips. */
export function stripLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripLocations);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "span" || k.endsWith("Span") || k === "comments" || k === "recovered") continue;
      out[k] = stripLocations(v);
    }
    return out;
  }
  return value;
}

export function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - before.lastIndexOf("\n");
  return `${line}:${col}`;
}

export interface ModelSource {
  name: string;
  text: string;
}

function nlmeFilesIn(dir: string): ModelSource[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".nlme"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(`${dir}/${f}`, "utf8") }));
}

export const specs = nlmeFilesIn(`${root}specs`);
export const drafts = nlmeFilesIn(`${root}test/syntax/draft`);
