// The one place the grammar loads Chevrotain. Its package entry imports lodash-es
// function by function, some six hundred modules, and under tsx every one of them
// crosses the loader thread: about a second of every CLI start. Chevrotain ships
// the same code bundled as lib/chevrotain.mjs (not listed in its package
// exports), so load that file, with the package's own types.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Chevrotain from "chevrotain";

const entry = createRequire(import.meta.url).resolve("chevrotain");
const bundled = join(dirname(entry), "..", "chevrotain.mjs");
const chevrotain = (await import(pathToFileURL(bundled).href)) as typeof Chevrotain;

export const { createToken, Lexer, CstParser, EOF, tokenMatcher, createSyntaxDiagramsCode } = chevrotain;
export type { CstElement, CstNode, ILexingError, IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from "chevrotain";
