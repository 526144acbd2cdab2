/**
 * One form's command in flight. It never sends twice at once, and it keeps the commandId until the server has given a
 * definite answer: a retry after a lost connection reuses it, so the server applies the command at most once (a
 * repeat answers `duplicate: true`). Errors are state the form shows, never exceptions.
 */
import type { CommandInput, CommandResult } from '../../shared/dispatch.js';
import type { CommandFailure, CommandOutcome } from './dispatch-api.js';
import { newCommandId } from './dispatch-api.js';
import { fieldIssueText } from './error-text.js';
import { locale } from './locale.svelte.js';

/** A command without its id: the runner owns that. */
export type CommandBody = CommandInput extends infer C ? (C extends { commandId: string } ? Omit<C, 'commandId'> : never) : never;

export class CommandRunner {
  #busy = $state(false);
  #error = $state.raw<CommandFailure | null>(null);
  #commandId: string | null = null;
  readonly #send: (command: CommandInput) => Promise<CommandOutcome>;
  readonly #newId: () => string;

  constructor(send: (command: CommandInput) => Promise<CommandOutcome>, newId: () => string = newCommandId) {
    this.#send = send;
    this.#newId = newId;
  }

  get busy(): boolean {
    return this.#busy;
  }

  get error(): CommandFailure | null {
    return this.#error;
  }

  /** The server's message for one field (details[].path, e.g. `assists[1]` matches `assists`), if any. */
  fieldError(field: string): string | undefined {
    const error = this.#error;
    if (error?.kind !== 'invalid') return undefined;
    const detail = error.details.find((d) => d.path === field || d.path.startsWith(`${field}[`) || d.path.startsWith(`${field}.`));
    return detail && fieldIssueText(detail, locale.t);
  }

  /** Field errors on paths no field of the form claims, shown with the form's general error. */
  otherFieldErrors(fields: readonly string[]): string[] {
    const error = this.#error;
    if (error?.kind !== 'invalid') return [];
    return error.details.filter((d) => !fields.some((f) => d.path === f || d.path.startsWith(`${f}[`) || d.path.startsWith(`${f}.`))).map((d) => `${d.path}: ${fieldIssueText(d, locale.t)}`);
  }

  clearError(): void {
    this.#error = null;
  }

  /** Sends the command; resolves with the result, or null when refused, failed or already in flight. */
  async run(body: CommandBody): Promise<CommandResult | null> {
    if (this.#busy) return null;
    this.#busy = true;
    this.#error = null;
    this.#commandId ??= this.#newId();
    let outcome: CommandOutcome;
    try {
      outcome = await this.#send({ ...body, commandId: this.#commandId } as CommandInput);
    } catch {
      outcome = { ok: false, error: { kind: 'network' } };
    } finally {
      this.#busy = false;
    }
    if (outcome.ok) {
      this.#commandId = null;
      return outcome.result;
    }
    // Only a refusal proves nothing was stored; after a network error or a 5xx the command may have committed.
    const maybeCommitted = outcome.error.kind === 'network' || (outcome.error.kind === 'http' && outcome.error.status >= 500) || outcome.error.kind === 'parse';
    if (!maybeCommitted) this.#commandId = null;
    this.#error = outcome.error;
    return null;
  }
}
