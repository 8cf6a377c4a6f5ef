// Where the CLI writes. Commands print through `io` rather than `process`
// so that `main(argv, streams)` can run in-process (the fuzz suite calls it
// thousands of times) with captured streams and a returned exit code.

export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliStreams {
  stdout: CliStream;
  stderr: CliStream;
}

const processStreams: CliStreams = { stdout: process.stdout, stderr: process.stderr };
let streams: CliStreams = processStreams;
let exitCode = 0;

export const io = {
  out(text: string): void {
    streams.stdout.write(text);
  },
  err(text: string): void {
    streams.stderr.write(text);
  },
  get stderr(): CliStream {
    return streams.stderr;
  },
  get stdout(): CliStream {
    return streams.stdout;
  },
  /** The exit code a command wants when it returns normally. */
  exit(code: number): void {
    exitCode = code;
  },
};

/** Run one CLI invocation against `s`; invocations do not overlap (the CLI is sequential). */
export async function withStreams<T>(s: CliStreams | undefined, run: () => Promise<T>): Promise<{ value: T; exitCode: number }> {
  const saved = streams;
  streams = s ?? processStreams;
  exitCode = 0;
  try {
    const value = await run();
    return { value, exitCode };
  } finally {
    streams = saved;
  }
}
