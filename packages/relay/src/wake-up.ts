/**
 * A sleep that ends early when nudged: the relay waits its idle interval unless told that something was
 * appended. A nudge while no one sleeps is kept, so the next sleep returns at once.
 */
export class WakeUp {
  #pending = false;
  #wake: (() => void) | undefined;

  /** Ends the current sleep, or the next one if none is under way. */
  nudge(): void {
    this.#pending = true;
    this.#wake?.();
  }

  /** Forgets a nudge given while no one slept. */
  reset(): void {
    this.#pending = false;
  }

  /** Resolves after `ms`, or at once on a nudge (one given since the last sleep counts too). */
  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        self.#pending = false;
        resolve();
      }
      this.#wake = done;
    });
  }
}
