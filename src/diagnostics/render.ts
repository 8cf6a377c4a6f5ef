// The only place diagnostics become text. Passes produce offsets; this file
// turns them into rustc/Elm-style excerpts for terminals and into LSP-shaped
// JSON for editors and `--format json`. Line and column exist only here.
import pc from "picocolors";
import type { Span } from "../syntax/ast.js";
import type { Diagnostic, Severity } from "./diagnostic.js";

export interface RenderOptions {
  /** Path shown after `-->` and in the footer. */
  file: string;
  /** The full source text the spans point into. */
  text: string;
  /** Colour escapes; default: only when stdout is a TTY that supports colour. */
  color?: boolean;
  /** The `2 errors, 1 warning in file` line; default true. */
  footer?: boolean;
  /** At most this many diagnostics are printed, then `... and N more` (default 50; the footer counts them all). */
  limit?: number;
}

/** A source line longer than this is shown as a window around its marks: a megabyte of one line must not be echoed. */
const MAX_LINE = 200;
/** Messages and notes can quote the input; past this they are cut. */
const MAX_MESSAGE = 500;

function clip(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE)}...`;
}

/** The part of a long line that holds its marks, and how far it is shifted. */
function window(text: string, marks: readonly Mark[]): { text: string; shift: number; end: number } {
  if (text.length <= MAX_LINE) return { text, shift: 0, end: Infinity };
  const from = marks.length === 0 ? 0 : Math.max(0, Math.min(...marks.map((m) => m.from)) - 40);
  const shown = text.slice(from, from + MAX_LINE);
  const prefix = from > 0 ? "..." : "";
  return { text: `${prefix}${shown}${from + MAX_LINE < text.length ? "..." : ""}`, shift: from - prefix.length, end: prefix.length + shown.length };
}

const TAB = "    ";

/** Maps offsets to lines: 0-based line, UTF-16 character (LSP) and display column (tabs and wide characters). */
export class LineIndex {
  readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === "\n") this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineOf(offset: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The line's text without its line break. */
  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const next = this.starts[line + 1];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, "");
  }

  /** LSP position: UTF-16 code units from the line start (what JS offsets already are). */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineOf(o);
    return { line, character: Math.min(o - this.starts[line]!, this.lineText(line).length) };
  }

  /** 1-based column counted in characters (code points), as printed after `-->`. */
  column(offset: number): number {
    const { line, character } = this.position(offset);
    return [...this.lineText(line).slice(0, character)].length + 1;
  }
}

function charWidth(ch: string): number {
  if (ch === "\t") return TAB.length;
  if (/\p{M}/u.test(ch)) return 0;
  if (/[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u.test(ch)) {
    return 2;
  }
  return 1;
}

/** Width on screen of a prefix of a line, so carets land under the right characters. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

function displayLine(s: string): string {
  return s.replace(/\t/g, TAB).replace(/\s+$/, "");
}

interface Mark {
  line: number;
  from: number; // display columns, end exclusive
  to: number;
  label?: string;
  primary: boolean;
}

function marksFor(index: LineIndex, span: Span, label: string | undefined, primary: boolean): Mark[] {
  const start = index.position(span.start);
  let end = index.position(Math.max(span.start, span.end));
  // A span ending just after a line break underlines up to the end of the previous line.
  if (end.line > start.line && end.character === 0) {
    end = { line: end.line - 1, character: index.lineText(end.line - 1).length };
  }
  const col = (line: number, character: number): number => displayWidth(index.lineText(line).slice(0, character));
  if (start.line === end.line) {
    const from = col(start.line, start.character);
    const to = Math.max(from + 1, col(end.line, end.character));
    return [{ line: start.line, from, to, label, primary }];
  }
  // Multi-line: underline the rest of the first line and the start of the last; the label goes on the last.
  const first = index.lineText(start.line);
  const last = index.lineText(end.line);
  const lastIndent = last.length - last.trimStart().length;
  return [
    { line: start.line, from: col(start.line, start.character), to: Math.max(col(start.line, start.character) + 1, displayWidth(first.trimEnd())), primary },
    { line: end.line, from: col(end.line, lastIndent), to: Math.max(col(end.line, lastIndent) + 1, col(end.line, end.character)), label, primary },
  ];
}

type Colors = ReturnType<typeof pc.createColors>;

function severityStyle(c: Colors, severity: Severity): (s: string) => string {
  if (severity === "error") return (s) => c.bold(c.red(s));
  if (severity === "warning") return (s) => c.bold(c.yellow(s));
  return (s) => c.bold(c.cyan(s));
}

function renderOne(d: Diagnostic, file: string, index: LineIndex, c: Colors): string {
  const sev = severityStyle(c, d.severity);
  const marks = [
    ...marksFor(index, d.span, d.label, true),
    ...(d.labels ?? []).flatMap((l) => marksFor(index, l.span, l.message, false)),
  ];
  const lines = [...new Set(marks.map((m) => m.line))].sort((a, b) => a - b);
  const width = String(Math.max(...lines) + 1).length;
  const pad = " ".repeat(width);
  const gutter = (n?: number): string => c.bold(c.blue(`${n === undefined ? pad : String(n).padStart(width)} |`));
  const pos = index.position(d.span.start);
  const out: string[] = [];
  out.push(`${sev(`${d.severity}[${d.code}]`)}${c.bold(`: ${clip(d.message)}`)}`);
  out.push(`${pad}${c.bold(c.blue("-->"))} ${file}:${pos.line + 1}:${index.column(d.span.start)}`);
  out.push(gutter());
  let previous: number | undefined;
  for (const line of lines) {
    if (previous !== undefined && line - previous === 2) {
      out.push(`${gutter(previous + 2)} ${window(displayLine(index.lineText(previous + 1)), []).text}`.trimEnd());
    } else if (previous !== undefined && line - previous > 2) {
      out.push(c.bold(c.blue("...")));
    }
    const here = marks
      .filter((m) => m.line === line)
      .sort((a, b) => Number(b.primary) - Number(a.primary) || a.from - b.from);
    const shown = window(displayLine(index.lineText(line)), here);
    out.push(`${gutter(line + 1)} ${shown.text}`.trimEnd());
    for (const m of here) {
      const paint = m.primary ? sev : (s: string) => c.bold(c.blue(s));
      const from = Math.max(0, m.from - shown.shift);
      const underline = (m.primary ? "^" : "-").repeat(Math.max(1, Math.min(m.to - shown.shift, shown.end) - from));
      out.push(`${gutter()} ${" ".repeat(from)}${paint(m.label ? `${underline} ${clip(m.label)}` : underline)}`);
    }
    previous = line;
  }
  if (d.notes?.length) {
    out.push(gutter());
    for (const note of d.notes) out.push(`${pad} ${c.bold("=")} ${c.bold("note")}: ${clip(note)}`);
  }
  if (d.help) out.push(`${c.bold(c.cyan("help"))}: ${clip(d.help)}`);
  return out.join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `2 errors, 1 warning in specs/x.nlme`; empty when there is nothing to report. */
export function summary(diagnostics: readonly Diagnostic[], file: string): string {
  const count = (s: Severity): number => diagnostics.filter((d) => d.severity === s).length;
  const parts: string[] = [];
  if (count("error")) parts.push(plural(count("error"), "error"));
  if (count("warning")) parts.push(plural(count("warning"), "warning"));
  if (count("note")) parts.push(plural(count("note"), "note"));
  return parts.length ? `${parts.join(", ")} in ${file}` : "";
}

/** Sorted by position so the output reads top to bottom, whichever pass found what. */
function inSourceOrder(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.span.start - b.d.span.start || a.i - b.i)
    .map((x) => x.d);
}

export function render(diagnostics: readonly Diagnostic[], options: RenderOptions): string {
  if (diagnostics.length === 0) return "";
  // The caller knows where the text goes; a library rendering into a string does not.
  const c = pc.createColors(options.color ?? false);
  const index = new LineIndex(options.text);
  const limit = options.limit ?? 50;
  const ordered = inSourceOrder(diagnostics);
  const blocks = ordered.slice(0, limit).map((d) => renderOne(d, options.file, index, c));
  if (ordered.length > limit) blocks.push(c.bold(`... and ${ordered.length - limit} more`));
  if (options.footer !== false) blocks.push(c.bold(summary(diagnostics, options.file)));
  return `${blocks.join("\n\n")}\n`;
}

// ---------------------------------------------------------------- JSON (LSP)

export interface JsonRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface JsonDiagnostic {
  range: JsonRange;
  /** LSP DiagnosticSeverity: 1 error, 2 warning, 3 information (our notes). */
  severity: 1 | 2 | 3;
  code: string;
  source: "nlme";
  message: string;
  /** Text under the primary carets, if any. */
  label?: string;
  relatedInformation: { location: { uri: string; range: JsonRange }; message: string }[];
  notes: string[];
  help?: string;
}

const lspSeverity: Record<Severity, 1 | 2 | 3> = { error: 1, warning: 2, note: 3 };

export function toJson(diagnostics: readonly Diagnostic[], file: string, text: string): JsonDiagnostic[] {
  const index = new LineIndex(text);
  const range = (s: Span): JsonRange => ({ start: index.position(s.start), end: index.position(Math.max(s.start, s.end)) });
  return inSourceOrder(diagnostics).map((d) => ({
    range: range(d.span),
    severity: lspSeverity[d.severity],
    code: d.code,
    source: "nlme",
    message: d.message,
    ...(d.label ? { label: d.label } : {}),
    relatedInformation: (d.labels ?? []).map((l) => ({ location: { uri: file, range: range(l.span) }, message: l.message })),
    notes: d.notes ?? [],
    ...(d.help ? { help: d.help } : {}),
  }));
}
