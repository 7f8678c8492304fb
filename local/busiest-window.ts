/**
 * The most of `times` that fall within any one window of `width`, the
 * window sliding over them rather than fixed to whole seconds: how a
 * service that throttles over its last second would count the calls.
 */
export function busiestWindow(times: number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] as number) - (sorted[first] as number) >= width) {
      first += 1;
    }
    busiest = Math.max(busiest, last - first + 1);
  }

  return busiest;
}
