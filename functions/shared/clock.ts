/**
 * Time for code that paces itself. In Lambda it is the wall clock. The
 * benchmark runs AWS on a scaled clock, where a second lasts a few
 * milliseconds, and swaps these two for that clock's; nothing else does.
 */
export const clock = {
  /** Milliseconds since the epoch. */
  now: (): number => Date.now(),

  /** Resolves after `ms` milliseconds. */
  sleep: (ms: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, ms)),
};
