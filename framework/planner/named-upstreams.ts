import type { ListBuffer } from './list-buffer.js';

/** How many upstream partitions a reason names before it says `and N more`. */
export const MAX_NAMED_UPSTREAMS = 3;

/**
 * Writes the sentence of a staleness reason that names upstream partitions (`a, b, c and 4 more`).
 * Remembers the last sentence it wrote and returns the same string when asked for an equal one.
 *
 * @example
 * const planned = new NamedUpstreams((names) => `upstream ${names} will be re-materialized first`);
 * planned.describe(buffer, buffer.length); // 'upstream raw_orders[2024-01-15] will be re-materialized first'
 */
export class NamedUpstreams {
  readonly #sentence: (names: string) => string;
  // NOTE: all partitions of a daily asset that reads unpartitioned assets name the same upstreams;
  // sharing the sentence keeps a plan of 100,000s of steps from holding as many copies of it.
  #named: string[] = [];
  #count = -1;
  #text = '';

  constructor(sentence: (names: string) => string) {
    this.#sentence = sentence;
  }

  /** The sentence naming the first labels of `labels`, of `count` in all (`count` ≥ `labels.length`). */
  describe(labels: ListBuffer<string>, count: number): string {
    if (count !== this.#count || !this.#sameNames(labels)) {
      this.#named = labels.first(MAX_NAMED_UPSTREAMS);
      this.#count = count;
      const more = count > MAX_NAMED_UPSTREAMS ? ` and ${count - MAX_NAMED_UPSTREAMS} more` : '';
      this.#text = this.#sentence(`${this.#named.join(', ')}${more}`);
    }
    return this.#text;
  }

  #sameNames(labels: ListBuffer<string>): boolean {
    const named = this.#named;
    if (named.length !== Math.min(labels.length, MAX_NAMED_UPSTREAMS)) return false;
    for (let i = 0; i < named.length; i++) if (named[i] !== labels.at(i)) return false;
    return true;
  }
}
