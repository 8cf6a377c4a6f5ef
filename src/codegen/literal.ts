// Prints plain data (metadata) as a TypeScript literal. Every name from a
// spec reaches generated code only through here (as a string or a key), so
// this is where names like `__proto__` or doc strings holding `*/`, backticks
// or `${` are made harmless: strings are JSON-quoted (never template
// literals), and `__proto__` as a key is computed so that it stays an own
// property instead of setting the prototype.
import { formatNumber } from "../ir/print-expr.js";

/** Code printed as is (e.g. a call of a helper the module defines). */
export class Raw {
  constructor(readonly text: string) {}
}

export type Plain = string | number | boolean | null | undefined | Raw | Plain[] | { [key: string]: Plain };

export function literal(value: Plain): string {
  if (value === null) return "null";
  if (value instanceof Raw) return value.text;
  switch (typeof value) {
    case "string":
      // JSON leaves U+2028/U+2029 raw; legal in strings since ES2019, but editors take them for line breaks.
      return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
    case "number":
      return formatNumber(value, "ts");
    case "boolean":
      return String(value);
    case "undefined":
      return "undefined";
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  const fields = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`);
  return fields.length === 0 ? "{}" : `{ ${fields.join(", ")} }`;
}

export function propertyKey(key: string): string {
  if (key === "__proto__") return `[${JSON.stringify(key)}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}
