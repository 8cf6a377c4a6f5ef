// The flip-flop's two SAEM runs (`RefinedFit.branches`) in one sentence, for the CLI's legend and the report.
import type { RefinedFit } from "../fit-result.js";

export function branchesSentence(r: RefinedFit): string | null {
  const kept = r.branches?.find((b) => b.kept);
  const other = r.branches?.find((b) => !b.kept);
  if (!kept || !other) return null;
  const rel = (b: typeof kept) => (b.branch === "flip-flop" ? `${b.ka} < ${b.ke}` : `${b.ka} > ${b.ke}`);
  const difference = kept.logLikelihood.value - other.logLikelihood.value;
  const mcSe = Math.hypot(kept.logLikelihood.mcSe, other.logLikelihood.mcSe);
  const close = Math.abs(difference) < 2 * mcSe ? `; the difference is within twice its Monte Carlo error (${mcSe.toFixed(2)}): the data do not tell the branches apart, the conventional one (${kept.ka} > ${kept.ke}) is kept` : "";
  const values = `${other.ka} ${other.parameters[other.ka]!.toPrecision(3)}, ${other.ke} ${other.parameters[other.ke]!.toPrecision(3)}`;
  if (other.branch === kept.branch)
    return `flip-flop: the other SAEM run (from ${other.startedFrom === "given" || other.startedFrom === "naive" ? `a ${other.startedFrom} start` : `the ${other.startedFrom}`}) ended on the same ${kept.branch} branch (${rel(other)}; ${values}) at log-likelihood ${other.logLikelihood.value.toFixed(2)}, this one ${kept.logLikelihood.value.toFixed(2)}`;
  const name = other.branch === "flip-flop" ? "the flip-flop twin" : "the conventional twin";
  return (
    `flip-flop: ${name} (${rel(other)}; ${values}) reached log-likelihood ${other.logLikelihood.value.toFixed(2)}, ` +
    `this ${kept.branch} run (${rel(kept)}) ${kept.logLikelihood.value.toFixed(2)}${close || ": kept as the higher"}`
  );
}
