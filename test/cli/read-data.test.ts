// The CLI's data reader: a plain observation file read block by block must give loadData's Dataset for the whole
// text, and any other file, or flaw, loadData's own outcome (the same Dataset or the same DataError). Block sizes
// from a few bytes (rows cut anywhere, carried to the next block) to the real one.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { BLOCK_BYTES, readDataFile, readPlainBlocks } from "../../src/cli/read-data.js";
import { loadData, plainReaderFor, type DataMeta } from "../../src/runtime/data/load-data.js";

function meta(observations: string[], extra: Partial<DataMeta> = {}): DataMeta {
  return {
    observations: observations.map((name, i) => ({ name, state: i, transform: "identity", error: "constant" })),
    covariates: [],
    doses: [],
    states: observations.map((_, i) => ({ name: `s${i}`, latent: false })),
    ...extra,
  };
}

const lotka = meta(["prey", "predator"]);
const dir = mkdtempSync(join(tmpdir(), "nlme-read-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function write(content: string | Buffer): string {
  const path = join(dir, `d${files++}.csv`);
  writeFileSync(path, content);
  return path;
}

/** Outcome of a read: the Dataset, or the error's stable parts. */
async function outcome(read: () => unknown): Promise<unknown> {
  try {
    return { data: await read() };
  } catch (e) {
    const err = e as { name: string; code?: string; line?: number; column?: string; message: string };
    return { error: { name: err.name, code: err.code, line: err.line, column: err.column, message: err.message } };
  }
}

/** What loadData gives for the whole text, as the reader before this one did (UTF-8, without a byte-order mark). */
function whole(path: string, content: string | Buffer, m: DataMeta): Promise<unknown> {
  const text = (typeof content === "string" ? content : content.toString("utf8")).replace(/^\uFEFF/, "");
  return outcome(() => loadData(text, path, m));
}

async function expectSame(content: string | Buffer, m: DataMeta = lotka, blocks = [7, 64, BLOCK_BYTES]): Promise<void> {
  const path = write(content);
  const expected = await whole(path, content, m);
  for (const block of blocks) expect(await outcome(() => readDataFile(path, m, undefined, block)), `${JSON.stringify(String(content).slice(0, 80))} in blocks of ${block}`).toEqual(expected);
}

const cleanRows = fc
  .array(
    fc.array(fc.tuple(fc.double({ min: 0, max: 50, noNaN: true }), fc.constantFrom("prey", "predator"), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 6 }),
    { minLength: 1, maxLength: 5 },
  )
  .map((subjects) => subjects.flatMap((samples, i) => [...samples].sort((a, b) => a[0] - b[0]).map(([t, obs, v]) => [String(i + 1), String(t), obs, String(v)])));

const csv = (rows: string[][]) => ["ID,TIME,OBSID,DV", ...rows.map((r) => r.join(","))].join("\n") + "\n";

describe("readDataFile", () => {
  it("reads a clean file block by block, as loadData reads its whole text", async () => {
    await fc.assert(
      fc.asyncProperty(cleanRows, fc.constantFrom(5, 16, 64, 4096), async (rows, block) => {
        const text = csv(rows);
        const path = write(text);
        const expected = await whole(path, text, lotka);
        expect(await outcome(() => readDataFile(path, lotka, undefined, block))).toEqual(expected);
        // Blocks that hold the header and a row (rows are under 100 bytes): the block reader itself reads the file
        // (else it would be dead code), rows cut at block ends carried to the next block.
        for (const bytes of [128, 256]) expect({ data: readPlainBlocks(path, lotka, {}, plainReaderFor, bytes) }).toEqual(expected);
      }),
      { seed: 17, numRuns: 150 },
    );
  });

  it("gives way to loadData on every flaw of a cell: the same Dataset or the same DataError", async () => {
    const flaws = [".", "NA", "", " 1", "1 ", "x", "1e500", "0x10", "nan", '"1"', "3,5", "PREY", "2", "-1", "prey ", "é"];
    await fc.assert(
      fc.asyncProperty(cleanRows, fc.nat(), fc.nat(3), fc.constantFrom(...flaws), async (rows, at, field, flaw) => {
        const flawed = rows.map((r) => [...r]);
        flawed[at % flawed.length]![field] = flaw;
        await expectSame(csv(flawed), lotka, [16, 4096]);
      }),
      { seed: 18, numRuns: 150 },
    );
  });

  it("gives way on a flaw of the file: split subjects, ragged or blank lines, a BOM, CRLF, non-ASCII, a long line", async () => {
    const base = "ID,TIME,OBSID,DV\n1,0,prey,1\n1,1,predator,2\n2,0,prey,3\n2,1,prey,4\n";
    const variants: (string | Buffer)[] = [
      base,
      base + "1,2,prey,5\n",
      base.replace("2,1,prey,4", "2,-1,prey,4"),
      base.replace("2,0,prey,3", "2,0,prey,3,9"),
      base.replace("1,1,predator,2\n", "1,1,predator,2\n\n\n"),
      base.replace("1,1,predator,2\n", "1,1,predator,2\n,,,\n"),
      "\uFEFF" + base,
      base.replace(/\n/g, "\r\n"),
      base.replace(/\n/g, "\r"),
      "\n\n" + base,
      base.trimEnd(),
      "ID,TIME,OBSID,DV\n",
      "ID,TIME,OBSID,DV",
      "",
      "\n\n",
      "ID;TIME;OBSID;DV\n1;0;prey;1\n",
      base.replace("2,0,prey,3", "2,0,prey,3" + " ".repeat(200)),
      base.replace("1,0,prey,1", "sübject,0,prey,1"),
      Buffer.from(base.replace("1,0,prey,1", "s\xfc,0,prey,1"), "latin1"), // not UTF-8
      base + '3,0,prey,"5"\n',
      // Times repeated on consecutive rows (read once), then the repeat flawed or going back.
      "ID,TIME,OBSID,DV\n1,0.5,prey,1\n1,0.5,predator,2\n1,0.75,prey,3\n1,0.75,predator,4\n2,0.5,prey,5\n2,0.5,predator,6\n",
      "ID,TIME,OBSID,DV\n1,0.5,prey,1\n1,0.5 ,predator,2\n",
      "ID,TIME,OBSID,DV\n1,0.5,prey,1\n1,0.50,predator,2\n1,0.5,prey,3\n",
      "ID,TIME,OBSID,DV\n1,1e500,prey,1\n1,1e500,predator,2\n",
    ];
    for (const v of variants) await expectSame(v);
    await expectSame("ID,TIME,DV\n1,0,1\n1,2,3\n", meta(["conc"]));
    await expectSame("ID,TIME,DV,AMT\n1,0,.,10\n1,2,3,.\n", meta(["conc"], { doses: [{ kind: "jump", state: 0, amount: "amt" }] }));
  });

  it("reads columns remapped on the command line", async () => {
    const text = "subject,t,what,y\n1,0,prey,1\n1,1,predator,2\n";
    const path = write(text);
    const columns = { ID: "subject", TIME: "t", OBSID: "what", DV: "y" };
    const expected = await outcome(() => loadData(text, path, lotka, { columns }));
    expect(await outcome(() => readDataFile(path, lotka, columns, 8))).toEqual(expected);
    expect(expected).toHaveProperty("data");
  });

  it("refuses what is not a readable file as before: a missing path, a directory", async () => {
    await expect(readDataFile(join(dir, "none.csv"), lotka)).rejects.toThrow(/no such file/);
    await expect(readDataFile(dir, lotka)).rejects.toThrow(/is a directory/);
  });
});
