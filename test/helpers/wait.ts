/**
 * Waiting for what a test expects to happen, instead of sleeping a fixed time: `until` checks a condition (a fake
 * server's record, a store read) as often as the event loop lets other work run, and fails naming what it waited
 * for. Nothing is timed: the limit only keeps a broken test from hanging.
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const end = Date.now() + (options.timeoutMs ?? 10_000);
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.everyMs ?? 5));
  }
}
