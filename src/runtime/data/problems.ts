// Building DataErrors: one factory that sets the stable `code`, and a collector
// that lists the first few row-level problems in a single error.
import { DataError } from "./dataset.js";

/** Collects row-level problems; the first few are kept in full. */
export class Problems {
  readonly list: DataError[] = [];
  count = 0;
  constructor(
    readonly file: string,
    readonly max: number,
  ) {}
  add(code: string, message: string, line: number, column: string | undefined, help: string): void {
    this.count++;
    if (this.list.length < this.max) this.list.push(dataError(code, message, this.file, line, column, help));
  }
  throwIfAny(): void {
    if (this.count === 0) return;
    const first = this.list[0]!;
    if (this.count === 1) throw first;
    const e = dataError(first.code!, "", this.file, first.line, first.column, first.help);
    e.problems = [...this.list];
    e.problemCount = this.count;
    const shown = this.list.map((p) => p.message.replace(/\n/g, "\n  ")).join("\n");
    e.message =
      `${this.count} problems in ${this.file}` +
      (this.count > this.list.length ? ` (the first ${this.list.length} are shown)` : "") +
      `:\n${shown}`;
    throw e;
  }
}

export function dataError(
  code: string,
  message: string,
  file: string,
  line: number | undefined,
  column: string | undefined,
  help: string | undefined,
): DataError {
  const e = new DataError(message, file, line, column, help);
  e.code = code;
  return e;
}
