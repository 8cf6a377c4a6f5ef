// The phases of a refinement whose random draws come from separate streams: a subject's draws at iteration k of
// a phase come from streamRng(seed, phase, k, subject), whichever thread makes them.
export const STREAM = { burnIn: 0, saem: 1, posterior: 2, importance: 3 } as const;
