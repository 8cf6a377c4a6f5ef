// A tiny tokenizer for the Mlxtran-ready expression text the code generator
// writes into `ModelMeta.equations`. Exports only ever rename identifiers
// (time, parameters, dose keywords), so a token stream is all they need:
// no precedence, no tree, and the text keeps the user's own layout.

export type Token =
  | { kind: "num"; text: string }
  | { kind: "id"; text: string }
  | { kind: "op"; text: string }
  | { kind: "ws"; text: string };

const OPS = [
  "<=",
  ">=",
  "==",
  "!=",
  "~=",
  "&&",
  "||",
  "+",
  "-",
  "*",
  "/",
  "^",
  "(",
  ")",
  ",",
  "<",
  ">",
  "=",
  "&",
  "|",
  "[",
  "]",
];

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      out.push({ kind: "ws", text: ws[0] });
      i += ws[0].length;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) {
      out.push({ kind: "num", text: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (id) {
      // `.` is allowed inside R names (eta.ka) but never ends one.
      const name = id[0].replace(/\.+$/, "");
      out.push({ kind: "id", text: name });
      i += name.length;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) throw new Error(`unexpected character '${text[i]}' in expression: ${text}`);
    out.push({ kind: "op", text: op });
    i += op.length;
  }
  return out;
}

/** Identifiers of an expression, in order of first appearance (function names included). */
export function identifiers(text: string): string[] {
  const seen = new Set<string>();
  for (const t of tokenize(text)) if (t.kind === "id") seen.add(t.text);
  return [...seen];
}

/** Renames identifiers; `rename` returns the replacement text or undefined to keep the name. */
export function renameIdentifiers(text: string, rename: (name: string) => string | undefined): string {
  return tokenize(text)
    .map((t) => (t.kind === "id" ? (rename(t.text) ?? t.text) : t.text))
    .join("");
}

/** A valid Mlxtran/R identifier made from any name (`W[g1, g1*g7]` -> `W_g1_g1_g7`). */
export function sanitizeName(name: string): string {
  // Same rule as the code generator's `mathName`, so names in meta.equations match.
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return name;
  let s = name.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  if (s === "") s = "p";
  if (/^[0-9]/.test(s)) s = `p_${s}`;
  return s;
}

/** Shortest round-trippable text of a number, as both Mlxtran and R read it. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot export non-finite value ${x}`);
  if (Object.is(x, -0)) return "0";
  return String(x);
}

/** An estimate for a starting value: 6 significant digits are plenty and keep the files readable. */
export function formatEstimate(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot export non-finite value ${x}`);
  return formatNumber(Number(x.toPrecision(6)));
}
