/**
 * The create form of a wall code or an integration key: checked on submit, one request at a time, a failure in
 * words, and what the server made (its secret) kept to show once until the admin dismisses it.
 */
import type { AdminOutcome } from './admin-api.js';
import { adminFailureText } from './admin-format.js';
import { locale } from './locale.svelte.js';

export class CreateOnce<I, R> {
  /** Submitted at least once since the last success, so field problems are shown. */
  tried = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);
  made = $state.raw<R | null>(null);

  readonly #send: (input: I) => Promise<AdminOutcome<R>>;
  readonly #reset: () => void;

  /** `reset` empties the form's own fields once the server has made the thing. */
  constructor(send: (input: I) => Promise<AdminOutcome<R>>, reset: () => void) {
    this.#send = send;
    this.#reset = reset;
  }

  async submit(event: SubmitEvent, input: I, invalid: boolean): Promise<void> {
    event.preventDefault();
    this.tried = true;
    if (invalid || this.busy) return;
    this.busy = true;
    this.error = null;
    const outcome = await this.#send(input);
    this.busy = false;
    if (outcome.ok) {
      this.made = outcome.result;
      this.#reset();
      this.tried = false;
    } else {
      this.error = adminFailureText(outcome.error, locale.t);
    }
  }
}
