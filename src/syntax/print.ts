// `nlme fmt`: the canonical layout of a `.nlme` file. It prints from the AST
// (so layout is uniform) and re-attaches comments: a full-line comment
// belongs to the next declaration or section and moves with it, a trailing
// comment stays at the end of its line. Files with syntax errors are refused.
import type * as A from "./ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { parse } from "./parse.js";
import { printExpr } from "./print-expr.js";

export interface FormatResult {
  text: string;
  diagnostics: Diagnostic[];
}

/** Sections in canonical order (docs/language.md). */
export const SECTION_ORDER = [
  "states", "constants", "covariates", "dictionary", "parameters", "random", "doses",
  "dynamics", "observe", "derived", "monolix", "penalty",
] as const;

const INDENT = "  ";
/** Columns wider than this are not padded: aligning one long name would push every line right. */
const MAX_ALIGNED_WIDTH = 32;

export function format(text: string): FormatResult {
  const { ast, diagnostics } = parse(text);
  if (hasErrors(diagnostics)) return { text, diagnostics };
  return { text: new Printer(text, ast).print(), diagnostics };
}

/** Prints a model from its AST alone (no comments, no blank-line memory): for generated models and tests. */
export function printModel(ast: A.ModelFile): string {
  return new Printer("", { ...ast, comments: [] }).print();
}

/** A printable thing that comments can attach to. */
interface Unit {
  start: number;
  end: number;
  leading: A.Comment[];
  trailing: A.Comment[];
}

/** A declaration line split into cells; cells in a run of lines are aligned. */
interface Row {
  cells: string[];
  /** Separator before each cell (index 0 unused). */
  seps: string[];
  unit: Unit;
}

function unit(span: A.Span): Unit {
  return { start: span.start, end: span.end, leading: [], trailing: [] };
}

function docText(doc: A.Doc | undefined): string {
  if (doc === undefined) return "";
  const escaped = doc.text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t");
  return `"${escaped}"`;
}

function categoricalText(c: A.CovariateDecl): string {
  const cat = c.categorical;
  if (cat === undefined) return "";
  const ref = cat.reference;
  if (ref === undefined) return "categorical";
  const value = ref.quoted ? docText({ text: ref.text, span: ref.span }) : ref.text;
  return `categorical(${cat.argName?.text ?? "reference"} = ${value})`;
}

/** `~ lognormal + log(WT / 70)`, `positive`, `~ random(selected)`: the distribution word as written. */
function variabilityText(p: A.ParameterDecl): string {
  const word = p.distribution?.text ?? (p.variability === "fixed" ? undefined : p.variability);
  if (word === undefined) return "";
  if (word === "positive") return "positive";
  const head = word === "selected" ? "~ random(selected)" : `~ ${word}`;
  return head + (p.covariateTerms ?? []).map((t) => ` + ${printTerm(t.expr)}`).join("");
}

/** A covariate term is a product: a sum (or difference) must keep its parentheses to stay one term. */
function printTerm(e: A.Expr): string {
  const text = printExpr(e);
  return e.kind === "binary" && (e.op === "+" || e.op === "-") ? `(${text})` : text;
}

function target(t: A.Target): string {
  return t.index === undefined ? t.name.text : `${t.name.text}[${printExpr(t.index)}]`;
}

function loop(l: A.ForClause | undefined): string {
  return l === undefined ? "" : `for ${l.index.text} in ${l.from.raw}..${l.to.raw}`;
}

function namedArgs(args: A.NamedArg[]): string {
  return args.map((a) => `, ${a.name.text} = ${printExpr(a.value)}`).join("");
}

class Printer {
  private readonly units: Unit[] = [];
  private readonly trailer: A.Comment[] = [];
  private readonly out: string[] = [];

  constructor(
    private readonly text: string,
    private readonly ast: A.ModelFile,
  ) {}

  print(): string {
    const f = this.ast;
    const header = f.name !== undefined ? this.track(unit(f.name.span)) : undefined;
    const time = f.time !== undefined ? this.track(unit(f.time.span)) : undefined;
    const sections = this.sections();
    this.attachComments();

    if (header !== undefined) this.emitGroup(header, 0, `model ${f.name!.text}`);
    if (time !== undefined) {
      const t = f.time!;
      this.emitGroup(time, 0, `time ${t.name.text}${t.unit !== undefined ? ` in ${t.unit.text}` : ""}`);
    }
    for (const s of sections) {
      if (this.out.length > 0) this.out.push("");
      s();
    }
    if (this.trailer.length > 0) {
      if (this.out.length > 0) this.out.push("");
      this.emitComments(this.trailer, 0, undefined);
    }
    return this.out.join("\n") + "\n";
  }

  private track(u: Unit): Unit {
    this.units.push(u);
    return u;
  }

  /** Registers every unit now (comments attach by source position) and returns printers in canonical order. */
  private sections(): (() => void)[] {
    const f = this.ast;
    const byKey = new Map<string, (() => void)[]>();
    const add = (key: string, p: () => void) => byKey.set(key, [...(byKey.get(key) ?? []), p]);
    const block = <T extends A.Node>(key: string, b: A.Block<T> | undefined, rows: (item: T) => Omit<Row, "unit">) => {
      if (b === undefined) return;
      const open = this.track(unit(b.keyword.span));
      const items = b.items.map((item) => ({ item, u: this.track(unit(item.span)) }));
      const close = this.track(unit({ start: b.span.end - 1, end: b.span.end }));
      add(key, () => {
        this.emitGroup(open, 0, `${key} {`);
        const built = items.map(({ item, u }) => ({ ...rows(item), unit: u }));
        this.emitRows(built, 1);
        this.emitComments(close.leading, 1, undefined);
        this.emitLine(0, "}", close.trailing);
      });
    };
    block("states", f.states, (s) => ({
      cells: [s.name.text + (s.range ? `[${s.range.from.raw}..${s.range.to.raw}]` : ""), s.latent ? "latent" : "", docText(s.doc)],
      seps: ["", "  ", "  "],
    }));
    block("constants", f.constants, (c) => ({
      cells: [c.name.text + (c.initialOf ? "(0)" : ""), `= ${printExpr(c.value)}`, docText(c.doc)],
      seps: ["", " ", "  "],
    }));
    block("covariates", f.covariates, (c) => ({ cells: [c.name.text, categoricalText(c), docText(c.doc)], seps: ["", "  ", "  "] }));
    block("parameters", f.parameters, (p) => ({
      cells: [p.name.text + (p.initialOf ? "(0)" : "") + (p.dims ? `[${p.dims.map((d) => d.text).join(", ")}]` : ""), variabilityText(p), docText(p.doc)],
      seps: ["", " ", "  "],
    }));
    block("random", f.random, (c) => ({
      cells: [`covariance ${c.structure} (${c.params.map((p) => p.text).join(", ")})`],
      seps: [""],
    }));
    block("doses", f.doses, (d) =>
      d.kind === "jump"
        ? { cells: [d.target.text, `+= ${typeof d.amount === "string" ? d.amount : printExpr(d.amount)}`], seps: ["", " "] }
        : { cells: [d.name.text, `= ${printExpr(d.values)}`], seps: ["", " "] },
    );
    block("dynamics", f.dynamics, (e) => ({
      cells: [`d/dt ${target(e.target)}`, `= ${printExpr(e.rhs)}`, loop(e.loop)],
      seps: ["", " ", "  "],
    }));
    block("observe", f.observe, (o) => ({
      cells: [target(o.target), `= ${printExpr(o.expr)}`, `~ ${o.error}`, loop(o.loop)],
      seps: ["", " ", "  ", "  "],
    }));
    block("derived", f.derived, (d) => ({ cells: [d.name.text, `= ${printExpr(d.expr)}`, docText(d.doc)], seps: ["", " ", "  "] }));
    block("monolix", f.monolix, (m) => ({ cells: [m.param.text, `~ ${m.distribution.text}`], seps: ["", " "] }));
    for (const d of f.dictionaries) {
      const u = this.track(unit(d.span));
      const over = d.over.map((o) => o.text).join(", ");
      add("dictionary", () => this.emitGroup(u, 0, `dictionary ${d.name.text} = ${d.family.text}(${over}${namedArgs(d.args)})`));
    }
    for (const p of f.penalties) {
      const u = this.track(unit(p.span));
      add("penalty", () => this.emitGroup(u, 0, `penalty ${p.kind.text}(${p.param.text}${namedArgs(p.args)})`));
    }
    return SECTION_ORDER.flatMap((k) => byKey.get(k) ?? []);
  }

  private attachComments(): void {
    const units = [...this.units].sort((a, b) => a.start - b.start);
    for (const c of this.ast.comments) {
      if (this.startsLine(c.span.start)) {
        const next = units.find((u) => u.start > c.span.start);
        (next?.leading ?? this.trailer).push(c);
      } else {
        let owner: Unit | undefined;
        for (const u of units) if (u.start < c.span.start) owner = u;
        (owner?.trailing ?? this.trailer).push(c);
      }
    }
  }

  private startsLine(offset: number): boolean {
    for (let i = offset - 1; i >= 0; i--) {
      const ch = this.text[i];
      if (ch === "\n") return true;
      if (ch !== " " && ch !== "\t" && ch !== "\r") return false;
    }
    return true;
  }

  /** Whether the source has an empty line between two offsets. */
  private blankBetween(from: number, to: number): boolean {
    return /\n[ \t\r]*\n/.test(this.text.slice(from, to));
  }

  /** Full-line comments, keeping at most one blank line where the source had some. */
  private emitComments(comments: A.Comment[], depth: number, before: number | undefined): void {
    comments.forEach((c, i) => {
      if (i > 0 && this.blankBetween(comments[i - 1]!.span.end, c.span.start)) this.out.push("");
      this.out.push(INDENT.repeat(depth) + c.text.trimEnd());
    });
    const last = comments[comments.length - 1];
    if (last !== undefined && before !== undefined && this.blankBetween(last.span.end, before)) this.out.push("");
  }

  private emitLine(depth: number, content: string, trailing: A.Comment[], commentColumn?: number): void {
    const [first, ...rest] = trailing;
    // A unit rarely has two trailing comments (a declaration split over lines); the others go above it.
    this.emitComments(rest, depth, undefined);
    let line = INDENT.repeat(depth) + content;
    if (first !== undefined) line = (commentColumn !== undefined ? line.padEnd(commentColumn) : line) + "  " + first.text.trimEnd();
    this.out.push(line.trimEnd());
  }

  private emitGroup(u: Unit, depth: number, content: string): void {
    this.emitComments(u.leading, depth, u.start);
    this.emitLine(depth, content, u.trailing);
  }

  private emitRows(rows: Row[], depth: number): void {
    // Runs of rows not separated by an empty line (or a comment line) are aligned together.
    const runs: Row[][] = [];
    rows.forEach((r, i) => {
      const prev = rows[i - 1];
      const firstStart = r.unit.leading[0]?.span.start ?? r.unit.start;
      const prevEnd = prev === undefined ? undefined : Math.max(prev.unit.end, ...prev.unit.trailing.map((c) => c.span.end));
      const blank = prevEnd !== undefined && this.blankBetween(prevEnd, firstStart);
      const r0 = runs[runs.length - 1];
      if (r0 === undefined || blank || r.unit.leading.length > 0) runs.push([r]);
      else r0.push(r);
      (r as Row & { blank?: boolean }).blank = blank;
    });
    for (const run of runs) {
      const lines = this.alignRun(run);
      run.forEach((r, i) => {
        if ((r as Row & { blank?: boolean }).blank) this.out.push("");
        this.emitComments(r.unit.leading, depth, r.unit.start);
        this.emitLine(depth, lines.text[i]!, r.unit.trailing, lines.commentColumn);
      });
    }
  }

  private alignRun(run: Row[]): { text: string[]; commentColumn?: number } {
    const ncols = Math.max(...run.map((r) => r.cells.length));
    const widths: number[] = [];
    for (let k = 0; k < ncols; k++) widths[k] = Math.max(...run.map((r) => (r.cells[k] ?? "").length));
    const text = run.map((r) => {
      const lastFilled = r.cells.reduce((acc, c, k) => (c !== "" ? k : acc), 0);
      let line = "";
      for (let k = 0; k <= lastFilled; k++) {
        const cell = r.cells[k] ?? "";
        // A column nobody in the run uses (e.g. `latent`) takes no room.
        if (k > 0 && widths[k] === 0) continue;
        if (k > 0) line += r.seps[k] ?? " ";
        const pad = k < lastFilled && widths[k]! <= MAX_ALIGNED_WIDTH && run.length > 1 ? widths[k]! : 0;
        line += cell.padEnd(pad);
      }
      return line.trimEnd();
    });
    const withComments = run.map((r, i) => (r.unit.trailing.length > 0 ? text[i]!.length : -1)).filter((w) => w >= 0);
    const widest = Math.max(...withComments);
    if (withComments.length < 2 || widest > 2 * MAX_ALIGNED_WIDTH) return { text };
    return { text, commentColumn: INDENT.length + widest };
  }
}
