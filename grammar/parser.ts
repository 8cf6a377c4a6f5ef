// The `.nlme` grammar (docs/language.md is its prose form). A CstParser with
// recovery: after a mistake it inserts or skips tokens and keeps going, so one
// run reports every syntax error. The CST is turned into the typed AST by
// src/syntax/cst-to-ast.ts; nothing here knows about diagnostics wording.
import { CstParser, type IParserErrorMessageProvider, type TokenType, type IToken } from "./chevrotain.js";
import * as T from "./tokens.js";

/**
 * Messages are structured data, not prose: src/syntax/parse-errors.ts turns
 * them into diagnostics in domain words. Encoding them as JSON keeps
 * Chevrotain's exception plumbing while never showing its wording to a user.
 */
export interface ParserErrorPayload {
  kind: "mismatch" | "noViableAlt" | "earlyExit" | "notAllInput";
  /** Expected token type names (first token of each viable path). */
  expected: string[];
  ruleName: string;
}

function firstTokens(paths: TokenType[][]): string[] {
  const names = new Set<string>();
  for (const path of paths) if (path.length > 0) names.add(path[0]!.name);
  return [...names];
}

const payloadProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) =>
    JSON.stringify({ kind: "mismatch", expected: [expected.name], ruleName } satisfies ParserErrorPayload),
  buildNotAllInputParsedMessage: ({ ruleName }) =>
    JSON.stringify({ kind: "notAllInput", expected: [], ruleName } satisfies ParserErrorPayload),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    JSON.stringify({
      kind: "noViableAlt",
      expected: firstTokens(expectedPathsPerAlt.flat()),
      ruleName,
    } satisfies ParserErrorPayload),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    JSON.stringify({
      kind: "earlyExit",
      expected: firstTokens(expectedIterationPaths),
      ruleName,
    } satisfies ParserErrorPayload),
};

export class NlmeParser extends CstParser {
  /**
   * `validate` runs Chevrotain's grammar checks (ambiguities, left recursion): about a second at every start,
   * so the shared instance skips them and `test/grammar/` builds one with them on.
   */
  constructor(options: { validate?: boolean } = {}) {
    super(T.allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: "full",
      errorMessageProvider: payloadProvider,
      skipValidations: !(options.validate ?? false),
    });
    this.performSelfAnalysis();
  }

  public file = this.RULE("file", () => {
    this.OPTION(() => this.SUBRULE(this.header));
    this.OPTION2(() => this.SUBRULE(this.timeDecl));
    this.SUBRULE(this.sectionList);
  });

  /** Continues a file after text outside any section was skipped (see src/syntax/parse.ts). */
  public sections = this.RULE("sections", () => {
    this.SUBRULE(this.sectionList);
  });

  // The loop sits in its own rule on purpose: Chevrotain's in-repetition
  // recovery for a loop at the very end of the top rule skips stray text
  // without regard for braces; src/syntax/parse.ts does that job better.
  private sectionList = this.RULE("sectionList", () => {
    this.MANY(() => this.SUBRULE(this.section));
  });

  private header = this.RULE("header", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
  });

  private timeDecl = this.RULE("timeDecl", () => {
    this.CONSUME(T.Time);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.In);
      this.CONSUME2(T.Identifier);
    });
  });

  private section = this.RULE("section", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.statesBlock) },
      { ALT: () => this.SUBRULE(this.constantsBlock) },
      { ALT: () => this.SUBRULE(this.covariatesBlock) },
      { ALT: () => this.SUBRULE(this.parametersBlock) },
      { ALT: () => this.SUBRULE(this.randomBlock) },
      { ALT: () => this.SUBRULE(this.dosesBlock) },
      { ALT: () => this.SUBRULE(this.dynamicsBlock) },
      { ALT: () => this.SUBRULE(this.observeBlock) },
      { ALT: () => this.SUBRULE(this.derivedBlock) },
      { ALT: () => this.SUBRULE(this.monolixBlock) },
      { ALT: () => this.SUBRULE(this.dictionaryDecl) },
      { ALT: () => this.SUBRULE(this.penaltyDecl) },
    ]);
  });

  // ------------------------------------------------------------ states

  private statesBlock = this.RULE("statesBlock", () => {
    this.CONSUME(T.States);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.stateDecl));
    this.CONSUME(T.RCurly);
  });

  private stateDecl = this.RULE("stateDecl", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.range);
      this.CONSUME(T.RBracket);
    });
    this.OPTION2(() => this.CONSUME(T.Latent));
    this.OPTION3(() => this.CONSUME(T.StringLit));
  });

  private range = this.RULE("range", () => {
    this.CONSUME(T.NumberLit);
    this.CONSUME(T.DotDot);
    this.CONSUME2(T.NumberLit);
  });

  // ------------------------------------------------------------ constants, covariates

  private constantsBlock = this.RULE("constantsBlock", () => {
    this.CONSUME(T.Constants);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.constantDecl));
    this.CONSUME(T.RCurly);
  });

  private constantDecl = this.RULE("constantDecl", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.CONSUME(T.NumberLit);
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
    this.OPTION2(() => this.CONSUME(T.StringLit));
  });

  private covariatesBlock = this.RULE("covariatesBlock", () => {
    this.CONSUME(T.Covariates);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.covariateDecl));
    this.CONSUME(T.RCurly);
  });

  /** `WT "kg"`, `DIET categorical`, `SEX categorical(reference = "F")`. */
  private covariateDecl = this.RULE("covariateDecl", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Categorical);
      this.OPTION2(() => {
        this.CONSUME(T.LParen);
        this.CONSUME2(T.Identifier);
        this.CONSUME(T.Equals);
        this.OR([{ ALT: () => this.CONSUME(T.StringLit) }, { ALT: () => this.CONSUME(T.NumberLit) }]);
        this.CONSUME(T.RParen);
      });
    });
    this.OPTION3(() => this.CONSUME2(T.StringLit));
  });

  // ------------------------------------------------------------ parameters, random

  private parametersBlock = this.RULE("parametersBlock", () => {
    this.CONSUME(T.Parameters);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.parameterDecl));
    this.CONSUME(T.RCurly);
  });

  private parameterDecl = this.RULE("parameterDecl", () => {
    this.CONSUME(T.Identifier);
    // `H(0) ~ lognormal`: how an estimated initial value varies between subjects.
    this.OPTION5(() => {
      this.CONSUME(T.LParen);
      this.CONSUME(T.NumberLit);
      this.CONSUME(T.RParen);
    });
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.CONSUME2(T.Identifier);
      this.CONSUME(T.Comma);
      this.CONSUME3(T.Identifier);
      this.CONSUME(T.RBracket);
    });
    this.OPTION2(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Positive) },
        {
          ALT: () => {
            this.CONSUME(T.Tilde);
            this.SUBRULE(this.distribution);
            this.MANY(() => this.SUBRULE(this.covariateTerm));
          },
        },
      ]);
    });
    this.OPTION4(() => this.CONSUME(T.StringLit));
  });

  /** `random`, `random(selected)`, or a distribution name (`lognormal`, `normal`) checked later. */
  private distribution = this.RULE("distribution", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Random);
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            this.CONSUME(T.Selected);
            this.CONSUME(T.RParen);
          });
        },
      },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  /**
   * `+ log(WT / 70)`: one effect on the parameter's transformed scale. A term is a product, not a sum, so that
   * `+ WT + DIET` reads as two effects; write `+ (AGE - 40)` for a centred covariate.
   */
  private covariateTerm = this.RULE("covariateTerm", () => {
    this.CONSUME(T.Plus);
    this.SUBRULE(this.multiplicative);
  });

  private randomBlock = this.RULE("randomBlock", () => {
    this.CONSUME(T.Random);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.covarianceDecl));
    this.CONSUME(T.RCurly);
  });

  private covarianceDecl = this.RULE("covarianceDecl", () => {
    this.CONSUME(T.Covariance);
    this.OR([{ ALT: () => this.CONSUME(T.Full) }, { ALT: () => this.CONSUME(T.Diagonal) }]);
    this.CONSUME(T.LParen);
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier);
    });
    this.CONSUME(T.RParen);
  });

  // ------------------------------------------------------------ doses

  private dosesBlock = this.RULE("dosesBlock", () => {
    this.CONSUME(T.Doses);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.doseDecl));
    this.CONSUME(T.RCurly);
  });

  private doseDecl = this.RULE("doseDecl", () => {
    this.CONSUME(T.Identifier);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.PlusEquals);
          this.OR2([{ ALT: () => this.CONSUME(T.Unknown) }, { ALT: () => this.SUBRULE(this.expr) }]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.vectorLit);
        },
      },
    ]);
  });

  // ------------------------------------------------------------ dynamics, observe, derived

  private dynamicsBlock = this.RULE("dynamicsBlock", () => {
    this.CONSUME(T.Dynamics);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.equation));
    this.CONSUME(T.RCurly);
  });

  private equation = this.RULE("equation", () => {
    this.CONSUME(T.DDt);
    this.SUBRULE(this.target);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
    this.OPTION(() => this.SUBRULE(this.forClause));
  });

  private observeBlock = this.RULE("observeBlock", () => {
    this.CONSUME(T.Observe);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.observation));
    this.CONSUME(T.RCurly);
  });

  private observation = this.RULE("observation", () => {
    this.SUBRULE(this.target);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Tilde);
    this.CONSUME(T.ErrorModelKeyword);
    this.OPTION(() => this.SUBRULE(this.forClause));
  });

  private target = this.RULE("target", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expr);
      this.CONSUME(T.RBracket);
    });
  });

  private forClause = this.RULE("forClause", () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.range);
  });

  private derivedBlock = this.RULE("derivedBlock", () => {
    this.CONSUME(T.Derived);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.derivedDecl));
    this.CONSUME(T.RCurly);
  });

  private derivedDecl = this.RULE("derivedDecl", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
    this.OPTION(() => this.CONSUME(T.StringLit));
  });

  // ------------------------------------------------------------ monolix, dictionary, penalty

  private monolixBlock = this.RULE("monolixBlock", () => {
    this.CONSUME(T.Monolix);
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.monolixDecl));
    this.CONSUME(T.RCurly);
  });

  private monolixDecl = this.RULE("monolixDecl", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Tilde);
    this.CONSUME2(T.Identifier);
  });

  private dictionaryDecl = this.RULE("dictionaryDecl", () => {
    this.CONSUME(T.Dictionary);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.CONSUME(T.Polynomial);
    this.CONSUME(T.LParen);
    this.CONSUME2(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE(this.namedArg);
    });
    this.CONSUME(T.RParen);
  });

  private penaltyDecl = this.RULE("penaltyDecl", () => {
    this.CONSUME(T.Penalty);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.CONSUME2(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE(this.namedArg);
    });
    this.CONSUME(T.RParen);
  });

  /** `degree = 2`, `constant = true`: the name may be a reserved word. */
  private namedArg = this.RULE("namedArg", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.Keyword) }]);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  // ------------------------------------------------------------ expressions

  public expr = this.RULE("expr", () => {
    this.SUBRULE(this.additive);
  });

  private additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  private multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.dotProduct);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }]);
      this.SUBRULE2(this.dotProduct);
    });
  });

  private dotProduct = this.RULE("dotProduct", () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.SUBRULE2(this.unary);
    });
  });

  private unary = this.RULE("unary", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Minus) }, { ALT: () => this.CONSUME(T.Plus) }]);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]);
  });

  /** `a ^ b` with `b` a unary: right-associative, and `-x^2` is `-(x^2)`. */
  private power = this.RULE("power", () => {
    this.SUBRULE(this.primary);
    this.OPTION(() => {
      this.CONSUME(T.Caret);
      this.SUBRULE(this.unary);
    });
  });

  private primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.SUBRULE(this.nameExpr) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.vectorLit) },
    ]);
  });

  /** A reference, call `f(x)` or index `W[i, :]`; builtins `since_dose` and `amt` read like names. */
  private nameExpr = this.RULE("nameExpr", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.FunctionName) },
      { ALT: () => this.CONSUME(T.SinceDose) },
      { ALT: () => this.CONSUME(T.Amt) },
    ]);
    this.OPTION(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            this.SUBRULE(this.expr);
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE2(this.expr);
            });
            this.CONSUME(T.RParen);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LBracket);
            this.SUBRULE(this.indexArg);
            this.MANY2(() => {
              this.CONSUME2(T.Comma);
              this.SUBRULE2(this.indexArg);
            });
            this.CONSUME(T.RBracket);
          },
        },
      ]);
    });
  });

  private indexArg = this.RULE("indexArg", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Colon) }, { ALT: () => this.SUBRULE(this.expr) }]);
  });

  private vectorLit = this.RULE("vectorLit", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expr);
    });
    this.CONSUME(T.RBracket);
  });
}

/** One instance: building a parser runs the grammar self-analysis, which is costly. */
export const nlmeParser = new NlmeParser();

export type { IToken };
