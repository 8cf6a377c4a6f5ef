// A computation written once that runs either to its end in this thread or, step by step, waiting for worker
// threads: a generator that yields the promises it waits for. `runSync` drives it when nothing is asynchronous
// (the in-thread path keeps its synchronous API), `runAsync` awaits each promise and hands its value back.

/** A computation giving T, which may wait for promises (worker threads) on the way. */
export type Steps<T> = Generator<Promise<unknown>, T, unknown>;

/** A value now, or a promise of it from a worker thread: `const x = yield* wait(op())`. */
export function* wait<T>(x: T | Promise<T>): Steps<T> {
  if (x instanceof Promise) return (yield x) as T;
  return x;
}

/** Runs steps that never wait. */
export function runSync<T>(steps: Steps<T>): T {
  const r = steps.next();
  if (!r.done) throw new Error("internal error: a computation run in this thread waited for a worker thread");
  return r.value;
}

/** Runs steps, awaiting what they wait for; a rejected promise is thrown back into them (their `finally` runs). */
export async function runAsync<T>(steps: Steps<T>): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    let value: unknown;
    try {
      value = await r.value;
    } catch (error) {
      r = steps.throw(error);
      continue;
    }
    r = steps.next(value);
  }
  return r.value;
}
