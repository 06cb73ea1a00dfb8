/**
 * The events an adapter has handed to the core and not yet seen handled: `stop()` waits for them after it stops
 * taking new events, and tests wait on `settled()`.
 */
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  /** Keeps `p` in flight until it settles; returns it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.work.add(p);
    const done = () => this.work.delete(p);
    p.then(done, done);
    return p;
  }

  /** Resolves when every piece of work tracked so far, and any tracked while waiting, has settled. */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }
}
