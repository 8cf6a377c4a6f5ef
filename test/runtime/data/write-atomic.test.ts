import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../src/runtime/data/write-atomic.js";

describe("writeFileAtomic", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), "nlme-atomic-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("writes a new file and leaves no temporary file behind", () => {
    const dir = fresh();
    writeFileAtomic(join(dir, "a.txt"), "héllo\n");
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("héllo\n");
    expect(readdirSync(dir)).toEqual(["a.txt"]);
  });

  it("replaces an existing file", () => {
    const dir = fresh();
    writeFileSync(join(dir, "a.txt"), "old");
    writeFileAtomic(join(dir, "a.txt"), "new");
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["a.txt"]);
  });

  it("throws, keeps the target and removes its temporary file when the rename fails", () => {
    const dir = fresh();
    // A non-empty directory as the target: the temporary file is written, then rename fails.
    const target = join(dir, "sub");
    mkdirSync(target);
    writeFileSync(join(target, "inner.txt"), "inner");
    expect(() => writeFileAtomic(target, "x")).toThrow();
    expect(readdirSync(dir)).toEqual(["sub"]);
    expect(readFileSync(join(target, "inner.txt"), "utf8")).toBe("inner");
  });

  it("throws when the directory does not exist", () => {
    const dir = fresh();
    expect(() => writeFileAtomic(join(dir, "missing", "a.txt"), "x")).toThrow(/ENOENT/);
  });
});
