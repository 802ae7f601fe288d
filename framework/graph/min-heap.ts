/**
 * A binary min-heap: `pop` returns the smallest item by `<` (strings alphabetically, numbers by
 * value). Used where the next of many ready items must come out in a fixed order cheaply: the
 * deterministic topological sort, and the executor's ready steps by rank (longest chain first).
 *
 * @example
 * const heap = new MinHeap([3, 1, 2]);
 * heap.pop(); // 1
 */
export class MinHeap<T extends string | number> {
  private readonly items: T[] = [];

  constructor(initial: Iterable<T> = []) {
    for (const item of initial) this.push(item);
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= item) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right]! < items[left]! ? right : left;
        if (items[child]! >= last) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
