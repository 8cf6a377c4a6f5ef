// Which file column plays which role (ID, TIME, DV, ...), from the header, the
// user's remapping and the spec's covariates. Names match case-insensitively;
// every failure says which columns the file has and how to remap.
import { dataError } from "./problems.js";
import type { DataError } from "./dataset.js";
import { nearNames } from "./near-names.js";

/** Column roles the loader understands; the first alias found in the header wins. */
export const ROLE_ALIASES = {
  ID: ["ID"],
  TIME: ["TIME"],
  DV: ["DV"],
  OBSID: ["OBSID", "YTYPE", "DVID"],
  AMT: ["AMT"],
  EVID: ["EVID"],
  MDV: ["MDV"],
  ADM: ["ADM", "CMT"],
  CENS: ["CENS"],
  LIMIT: ["LIMIT"],
  // Infusions (NONMEM/Monolix): the dose enters at RATE per time unit, or over DUR.
  RATE: ["RATE"],
  DUR: ["DUR"],
  // Steady state (SS=1: the state is reset to that of AMT given every II), additional doses (ADDL, every II).
  SS: ["SS"],
  II: ["II"],
  ADDL: ["ADDL"],
} as const;

export type Role = keyof typeof ROLE_ALIASES;
const ROLES = Object.keys(ROLE_ALIASES) as Role[];
const REQUIRED: Role[] = ["ID", "TIME", "DV"];

export interface ColumnRef {
  /** 0-based index in the record. */
  index: number;
  /** The name as written in the file's header. */
  name: string;
}

export interface ColumnMap {
  header: string[];
  roles: Partial<Record<Role, ColumnRef>>;
  /** In the spec's covariate order. */
  covariates: ColumnRef[];
}

export interface ColumnContext {
  file: string;
  /** Line of the header (1-based). */
  line: number;
  observations: readonly string[];
  covariates: readonly string[];
  /** Our name (role, alias or covariate) -> the file's column name. */
  remap?: Record<string, string>;
}

function err(code: string, message: string, ctx: ColumnContext, column?: string, help?: string): DataError {
  return dataError(code, message, ctx.file, ctx.line, column, help);
}

const upper = (s: string) => s.trim().toUpperCase();

/** Resolve the header. Throws a DataError for duplicates, bad remaps and missing columns. */
export function resolveColumns(header: readonly string[], ctx: ColumnContext): ColumnMap {
  const names = header.map((h) => h.trim());
  const found = names.filter((n) => n !== "");
  const foundText = found.join(", ");

  // Duplicates make every role lookup ambiguous, so they are fatal even for unused columns.
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const key = upper(names[i]!);
    if (key === "") continue;
    const first = seen.get(key);
    if (first !== undefined) {
      throw err(
        "duplicate-column",
        `column name ${names[i]} appears twice (fields ${first + 1} and ${i + 1}; names are compared ignoring case)`,
        ctx,
        names[i],
        "rename or delete one of the two columns",
      );
    }
    seen.set(key, i);
  }
  const lookup = (name: string): ColumnRef | undefined => {
    const i = seen.get(upper(name));
    return i === undefined ? undefined : { index: i, name: names[i]! };
  };

  // The remap: keys are roles, aliases or covariates; values are file columns.
  const remapped = new Map<string, ColumnRef>(); // our upper-case name -> column
  const covariateKeys = new Set(ctx.covariates.map(upper));
  const aliasToRole = new Map<string, Role>();
  for (const r of ROLES) for (const a of ROLE_ALIASES[r]) aliasToRole.set(a, r);
  for (const [ours, theirs] of Object.entries(ctx.remap ?? {})) {
    const key = upper(ours);
    if (!aliasToRole.has(key) && !covariateKeys.has(key)) {
      const known = [...ROLES, ...ctx.covariates];
      const near = nearNames(ours, known);
      throw err(
        "bad-remap",
        `--columns ${ours}=${theirs}: ${ours} is not a column role nor a covariate of the model`,
        ctx,
        undefined,
        (near.length ? `did you mean ${near[0]}? ` : "") + `remappable names: ${known.join(", ")}`,
      );
    }
    const col = lookup(theirs);
    if (!col) {
      const near = nearNames(theirs, found);
      throw err(
        "bad-remap",
        `--columns ${ours}=${theirs}: the file has no column ${theirs}`,
        ctx,
        theirs,
        `columns found: ${foundText}` + (near.length ? `; did you mean ${near[0]}?` : ""),
      );
    }
    remapped.set(key, col);
  }

  const roles: Partial<Record<Role, ColumnRef>> = {};
  const claimedBy = new Map<number, string>();
  const claim = (ours: string, col: ColumnRef) => {
    const other = claimedBy.get(col.index);
    if (other !== undefined) {
      throw err(
        "bad-remap",
        `column ${col.name} is used both as ${other} and as ${ours}`,
        ctx,
        col.name,
        "give each role its own column with --columns NAME=COLUMN",
      );
    }
    claimedBy.set(col.index, ours);
  };
  const remappedIndices = new Set([...remapped.values()].map((c) => c.index));
  for (const r of ROLES) {
    let col: ColumnRef | undefined;
    for (const a of ROLE_ALIASES[r]) col ??= remapped.get(a);
    // A column claimed by a remap (e.g. --columns DV=TIME2) is not also found by its own name.
    for (const a of ROLE_ALIASES[r]) {
      const c = lookup(a);
      if (!col && c && !remappedIndices.has(c.index)) col = c;
    }
    if (col) {
      claim(r, col);
      roles[r] = col;
    }
  }
  for (const r of REQUIRED) {
    if (!roles[r]) throw missingColumn(r, found, ctx);
  }

  const covariates: ColumnRef[] = [];
  for (const c of ctx.covariates) {
    const col = remapped.get(upper(c)) ?? lookup(c);
    if (!col) throw missingColumn(c, found, ctx, `the model uses covariate ${c}`);
    claim(`covariate ${c}`, col);
    covariates.push(col);
  }
  return { header: names, roles, covariates };
}

/** Names other tools and exports use for the required columns: suggested, never used silently. */
const SYNONYMS: Record<string, string[]> = {
  ID: ["SUBJ", "SUBJECT", "USUBJID", "SUBJID", "PATIENT", "PID", "TREE", "INDIVIDUAL"],
  TIME: ["T", "TAD", "DAY", "DAYS", "HOUR", "HOURS", "AGE"],
  DV: ["Y", "VALUE", "CONC", "OBS", "RESPONSE"],
};

function missingColumn(name: string, found: string[], ctx: ColumnContext, why?: string): DataError {
  const taken = new Set(Object.values(ROLE_ALIASES).flat() as string[]);
  const synonyms = SYNONYMS[name] ?? [];
  let candidates = [
    ...found.filter((f) => synonyms.includes(upper(f))),
    ...nearNames(name, found).filter((f) => !taken.has(upper(f))),
  ];
  // A DV column often carries the observation's own name (e.g. `conc`).
  if (name === "DV") {
    const obs = new Set(ctx.observations.map(upper));
    candidates = [...found.filter((f) => obs.has(upper(f))), ...candidates];
  }
  const suggestion = candidates[0];
  const help =
    `columns found: ${found.join(", ") || "(none)"}. ` +
    (suggestion ? `Did you mean ${suggestion}? ` : "") +
    `If the column has another name, remap it: --columns ${name}=${suggestion ?? "NAME"}`;
  return err("missing-column", `required column ${name} not found${why ? ` (${why})` : ""}`, ctx, name, help);
}
