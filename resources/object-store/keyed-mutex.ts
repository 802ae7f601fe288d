/**
 * Runs tasks one at a time per key (in this process), in arrival order; different keys run
 * concurrently. Used so two `put`s of one key cannot interleave their manifest updates.
 *
 * @example
 * const mutex = new KeyedMutex();
 * await Promise.all([mutex.run('a', taskOne), mutex.run('a', taskTwo)]); // taskTwo starts after taskOne
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(task);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
