// Parameters found by a bounded outer search (a latent rate such as ka, or the
// observed state's own decay in the exponential form) that ended at a bound:
// there the data did not determine them, the bound did. The fit records the
// search in `settings.rateSearch` / `settings.decaySearch` ({ parameter, lo,
// hi, atBound }); fits saved before that record existed only say it in a note
// ("N subject(s) have their X at (within one grid step of) a search bound"),
// which is read as a fallback.
import type { FitResult } from "../fit-result.js";

export interface BoundHit {
  parameter: string;
  /** Subjects whose value is within one grid step of a bound. */
  atBound: number;
  /** Subjects searched. */
  of: number;
  lo?: number;
  hi?: number;
}

const NOTE = /^(\d+) subject\(s\) have their (\S+) at \(within one grid step of\) a search bound/;

export function searchBoundHits(fit: FitResult): BoundHit[] {
  const hits = new Map<string, BoundHit>();
  for (const key of ["rateSearch", "decaySearch"]) {
    const rec = fit.settings[key];
    if (!rec || typeof rec !== "object") continue;
    const r = rec as { parameter?: unknown; atBound?: unknown; lo?: unknown; hi?: unknown };
    if (typeof r.parameter !== "string" || typeof r.atBound !== "number") continue;
    hits.set(r.parameter, {
      parameter: r.parameter,
      atBound: r.atBound,
      of: fit.subjects,
      ...(typeof r.lo === "number" ? { lo: r.lo } : {}),
      ...(typeof r.hi === "number" ? { hi: r.hi } : {}),
    });
  }
  for (const note of fit.notes) {
    const m = NOTE.exec(note);
    if (m && !hits.has(m[2]!)) hits.set(m[2]!, { parameter: m[2]!, atBound: Number(m[1]), of: fit.subjects });
  }
  return [...hits.values()].filter((h) => h.atBound > 0);
}
