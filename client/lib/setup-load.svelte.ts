/**
 * A view's load of what it needs before anything else (the district's names, the server's settings), again on
 * `retry()`. Made while the view's component initialises: its effect loads at once, and an unmounted view's load is
 * aborted.
 */
import { untrack } from 'svelte';
import { toLoadable, type Loadable, type Loaded } from './api.js';

export class SetupLoad<T> {
  state = $state.raw<Loadable<T>>({ status: 'loading' });
  #attempt = $state(0);

  constructor(load: (signal: AbortSignal) => Promise<Loaded<T>>) {
    $effect(() => {
      void this.#attempt;
      const controller = new AbortController();
      untrack(() => {
        this.state = { status: 'loading' };
        load(controller.signal).then((r) => (this.state = toLoadable(r)), () => undefined);
      });
      return () => controller.abort();
    });
  }

  /** The view's data once loaded, else null. */
  get ready(): T | null {
    return this.state.status === 'ready' ? this.state.data : null;
  }

  retry(): void {
    this.#attempt++;
  }
}
