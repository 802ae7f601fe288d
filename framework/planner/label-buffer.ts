/**
 * A reusable list of labels: filled while one partition is planned, copied out at its exact length,
 * then cleared for the next partition.
 *
 * @example
 * const buffer = new LabelBuffer();
 * buffer.push('raw_orders[2024-01-15]');
 * const dependsOn = buffer.toArray(); // ['raw_orders[2024-01-15]']
 * buffer.clear();
 */
export class LabelBuffer {
  // NOTE: an array grown by `push` reserves room for at least 17 items, and a plan keeps hundreds of
  // thousands of short lists; copying each out of one reused buffer keeps them at their exact size.
  readonly #items: string[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(label: string): void {
    this.#items[this.#length++] = label;
  }

  /** The label at `position` (0-based, below `length`). */
  at(position: number): string {
    return this.#items[position];
  }

  /** The first `count` labels (fewer when there are fewer). */
  first(count: number): string[] {
    return this.#items.slice(0, Math.min(count, this.#length));
  }

  toArray(): string[] {
    return this.#length === 0 ? [] : this.#items.slice(0, this.#length);
  }

  clear(): void {
    this.#length = 0;
  }
}
