/** A binary min-heap of timed events; ties keep insertion order so the output never depends on heap internals. */
export class EventQueue<T> {
  #items: { t: number; order: number; value: T }[] = [];
  #order = 0;

  get size(): number {
    return this.#items.length;
  }

  push(t: number, value: T): void {
    const items = this.#items;
    items.push({ t, order: this.#order++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** Removes and returns every value with t < before, earliest first. */
  popBefore(before: number): T[] {
    const out: T[] = [];
    while (this.#items.length > 0 && this.#items[0]!.t < before) out.push(this.#pop());
    return out;
  }

  #pop(): T {
    const items = this.#items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.#less(l, m)) m = l;
        if (r < items.length && this.#less(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top.value;
  }

  #less(a: number, b: number): boolean {
    const x = this.#items[a]!;
    const y = this.#items[b]!;
    return x.t < y.t || (x.t === y.t && x.order < y.order);
  }
}
