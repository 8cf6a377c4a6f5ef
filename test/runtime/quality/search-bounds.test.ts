// The exponential form's decay search is recorded in settings.decaySearch, so the
// quality check reads bound hits from data rather than from a note's wording.
// Data: data/pk_iv_multidose.csv (seeded simulation, ke = 0.15 1/h).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { model as iv } from "../../../generated/pk_iv_multidose.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { searchBoundHits } from "../../../src/runtime/quality/search-bounds.js";

const data = loadData(readFileSync(new URL("../../../data/pk_iv_multidose.csv", import.meta.url), "utf8"), "pk_iv_multidose.csv", iv.meta);

describe("search bounds", () => {
  it("the decay search is recorded with its bounds, and a search squeezed onto the truth's far side hits them", () => {
    const free = fit(iv, data);
    expect(free.settings["decaySearch"]).toMatchObject({ parameter: "ke", atBound: 0 });
    expect(searchBoundHits(free)).toEqual([]);
    // Bounds far below the true ke (0.15): every subject ends at the upper bound, and the check says so.
    const squeezed = fit(iv, data, { rateBounds: [0.001, 0.01] });
    expect(squeezed.settings["decaySearch"]).toMatchObject({ parameter: "ke", lo: 0.001, hi: 0.01 });
    const hits = searchBoundHits(squeezed);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ parameter: "ke", of: 40 });
    expect(hits[0]!.atBound).toBeGreaterThan(30);
  });
});
