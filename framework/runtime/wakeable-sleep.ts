/**
 * A pause another caller can cut short — a loop that waits between rounds and must stop at once
 * when asked. One sleep at a time.
 *
 * @example
 * const pause = new WakeableSleep();
 * await pause.sleep(30_000); // returns early when another caller runs pause.wake()
 */
export class WakeableSleep {
  #wake: (() => void) | null = null;

  /** Waits `ms`, or until {@link wake} is called. */
  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = null;
  }

  /** Ends the sleep in progress at once; nothing when none is. */
  wake(): void {
    this.#wake?.();
  }
}
