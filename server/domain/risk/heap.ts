/**
 * A binary min-heap of ids by a time, with an index so an id's time can be changed or removed in O(log n): stale
 * cases by when they go stale or by their age, communities by when their stale alert may change, raised alerts by
 * when they go quiet. `upTo` lists what is due without taking it out, because a sweep only decides; the events it
 * decides move or remove the entries when applied. Ties on the time go by id, so every answer is the same whatever
 * the heap's layout (e.g. after a restore).
 */
export class IndexedHeap {
  readonly #ids: string[] = [];
  readonly #keys: number[] = [];
  readonly #index = new Map<string, number>();

  get size(): number {
    return this.#ids.length;
  }

  get(id: string): number | undefined {
    const i = this.#index.get(id);
    return i === undefined ? undefined : this.#keys[i];
  }

  set(id: string, key: number): void {
    const i = this.#index.get(id);
    if (i === undefined) {
      this.#ids.push(id);
      this.#keys.push(key);
      this.#index.set(id, this.#ids.length - 1);
      this.#up(this.#ids.length - 1);
      return;
    }
    this.#keys[i] = key;
    this.#up(i);
    this.#down(i);
  }

  delete(id: string): void {
    const i = this.#index.get(id);
    if (i === undefined) return;
    const last = this.#ids.length - 1;
    this.#index.delete(id);
    if (i !== last) {
      this.#ids[i] = this.#ids[last]!;
      this.#keys[i] = this.#keys[last]!;
      this.#index.set(this.#ids[i]!, i);
    }
    this.#ids.pop();
    this.#keys.pop();
    if (i < this.#ids.length) {
      this.#up(i);
      this.#down(i);
    }
  }

  /** The least entry by key then id. */
  peek(): { id: string; key: number } | undefined {
    return this.#ids.length ? { id: this.#ids[0]!, key: this.#keys[0]! } : undefined;
  }

  /** The `n` least entries by key then id, without taking them out: O(n²) for the small n it is used with. */
  smallest(n: number): Array<{ id: string; key: number }> {
    const out: Array<{ id: string; key: number }> = [];
    const frontier = this.#ids.length ? [0] : [];
    while (out.length < n && frontier.length) {
      let best = 0;
      for (let j = 1; j < frontier.length; j++) if (this.#less(frontier[j]!, frontier[best]!)) best = j;
      const i = frontier[best]!;
      frontier[best] = frontier.at(-1)!;
      frontier.pop();
      out.push({ id: this.#ids[i]!, key: this.#keys[i]! });
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < this.#ids.length) frontier.push(c);
    }
    return out;
  }

  /** Every entry with key ≤ limit, by key then id. */
  upTo(limit: number): Array<{ id: string; key: number }> {
    const out: Array<{ id: string; key: number }> = [];
    const stack = this.#ids.length && this.#keys[0]! <= limit ? [0] : [];
    while (stack.length) {
      const i = stack.pop()!;
      out.push({ id: this.#ids[i]!, key: this.#keys[i]! });
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < this.#ids.length && this.#keys[c]! <= limit) stack.push(c);
    }
    return out.sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #less(a: number, b: number): boolean {
    const ka = this.#keys[a]!;
    const kb = this.#keys[b]!;
    return ka < kb || (ka === kb && this.#ids[a]! < this.#ids[b]!);
  }

  #swap(a: number, b: number): void {
    const id = this.#ids[a]!;
    const key = this.#keys[a]!;
    this.#ids[a] = this.#ids[b]!;
    this.#keys[a] = this.#keys[b]!;
    this.#ids[b] = id;
    this.#keys[b] = key;
    this.#index.set(this.#ids[a]!, a);
    this.#index.set(this.#ids[b]!, b);
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#ids.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
