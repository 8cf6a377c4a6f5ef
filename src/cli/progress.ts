// A progress bar on a terminal, nothing otherwise (CI logs and pipes stay clean).
import { createRequire } from "node:module";
import type cliProgress from "cli-progress";
import { io } from "./io.js";

export function progressBar(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (!io.stderr.isTTY) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (!bar) {
        // Small jobs finish before a bar would help; start one only for long work.
        if (total < 200) return;
        // Loaded only when a bar is drawn: every command would otherwise pay for its CommonJS modules at start.
        const { SingleBar, Presets } = createRequire(import.meta.url)("cli-progress") as typeof cliProgress;
        bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: io.stderr as NodeJS.WriteStream, clearOnComplete: true }, Presets.shades_classic);
        bar.start(total, done);
      }
      // The total may grow (SAEM lengthens its phases; a second run from the flip-flop twin counts on).
      if (total !== bar.getTotal()) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
