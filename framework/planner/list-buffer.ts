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

  toArray(): T[] {
    // NOTE: short lists are built as array literals, which V8 allocates straight into the old
    // generation once it sees that they live long; a copy made by `slice` is always copied again
    // by the young-generation collector first.
    const items = this.#items;
    switch (this.#length) {
      case 0:
        return [];
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
