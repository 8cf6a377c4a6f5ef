// A progress bar on a terminal, nothing otherwise (CI logs and pipes stay clean).
import cliProgress from "cli-progress";
import { io } from "./io.js";

export function progressBar(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (!io.stderr.isTTY) return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (!bar) {
        // Small jobs finish before a bar would help; start one only for long work.
        if (total < 200) return;
        bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, done);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
