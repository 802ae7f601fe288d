// NOTE: a plan of 100,000s of steps has as many empty `blockedBy` lists; they share this one,
// frozen: plans are plain data nothing modifies, and a write would throw rather than leak.
const NONE: readonly never[] = Object.freeze([]);

/**
 * A reusable list: filled while one partition is planned, copied out at its exact length, then
 * cleared for the next partition.
 *
 * @example
 * const buffer = new ListBuffer<string>();
 * buffer.push('raw_orders[2024-01-15]');
 * const dependsOn = buffer.toArray(); // ['raw_orders[2024-01-15]']
 * buffer.clear();
 */
export class ListBuffer<T> {
  // NOTE: an array grown by `push` reserves room for at least 17 items, and a plan keeps hundreds of
  // thousands of short lists; copying each out of one reused buffer keeps them at their exact size.
  readonly #items: T[] = [];
  #length = 0;
  #last: T[] | undefined;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    this.#items[this.#length++] = item;
  }

  /** The item at `position` (0-based, below `length`). */
  at(position: number): T {
    return this.#items[position];
  }

  /** The first `count` items (fewer when there are fewer). */
  first(count: number): T[] {
    return this.#items.slice(0, Math.min(count, this.#length));
  }

  /**
   * The items as an array of their own, or the array the previous call returned when it holds the
   * same items (then frozen: shared lists are read-only).
   */
  toArray(): T[] {
    // NOTE: the partitions of an asset that read only unpartitioned upstreams wait for the same
    // steps; one list serves them all rather than one copy per partition.
    const last = this.#last;
    if (last !== undefined && last.length === this.#length && this.#sameAs(last)) {
      if (!Object.isFrozen(last)) Object.freeze(last);
      return last;
    }
    this.#last = this.#copy();
    return this.#last;
  }

  #sameAs(list: T[]): boolean {
    const items = this.#items;
    for (let i = 0; i < list.length; i++) if (list[i] !== items[i]) return false;
    return true;
  }

  #copy(): T[] {
    // NOTE: short lists are built as array literals, which V8 allocates straight into the old
    // generation once it sees that they live long; a copy made by `slice` is always copied again
    // by the young-generation collector first.
    const items = this.#items;
    switch (this.#length) {
      case 0:
        return NONE as unknown as T[];
      case 1:
        return [items[0]];
      case 2:
        return [items[0], items[1]];
      case 3:
        return [items[0], items[1], items[2]];
      default:
        return items.slice(0, this.#length);
    }
  }

  clear(): void {
    this.#length = 0;
  }
}
