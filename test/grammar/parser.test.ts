import { describe, expect, it } from "vitest";
import { NlmeParser } from "../../grammar/parser.js";

describe("grammar", () => {
  it("passes Chevrotain's own checks (no ambiguity, no left recursion)", () => {
    // The shared parser skips these checks to start fast; a grammar change must still pass them.
    // With validations on, Chevrotain throws on any grammar definition error.
    expect(() => new NlmeParser({ validate: true })).not.toThrow();
  });
});
