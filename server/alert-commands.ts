/**
 * Acknowledging and closing alerts: checks the alert's version, lets the shared `decideAlert` decide, appends the
 * one event, and answers after commit. Commands run one at a time (alerts are few and rarely contended), so two
 * officers closing one alert at once get one 201 and one 409. `cmd:<commandId>` is the event's source key.
 */
import type { Actor } from '../shared/dispatch.js';
import type { EventDraft } from '../shared/events.js';
import { decideAlert, type AlertCommand, type AlertRecord } from '../shared/risk.js';
import type { AlertRegistry } from './domain/risk/alerts.js';
import type { EventStore } from './store/event-store.js';

export interface AlertCommandResult {
  alertId: string;
  version: number;
  status: AlertRecord['status'];
  event: { seq: number; id: string; type: string };
  duplicate: boolean;
}

export type AlertCommandOutcome =
  | { ok: true; result: AlertCommandResult }
  | { ok: false; code: 'not_found' | 'forbidden' | 'invalid_transition' | 'version_conflict'; message: string; current?: AlertRecord };

/** How many answered commands are remembered for retries. */
const RECENT = 10_000;

export class AlertCommands {
  #chain: Promise<unknown> = Promise.resolve();
  readonly #answered = new Map<string, AlertCommandResult>();

  constructor(private readonly deps: { store: EventStore; alerts: () => AlertRegistry | null; clock: () => number; newId: () => string }) {}

  execute(alertId: string, command: AlertCommand, actor: Actor): Promise<AlertCommandOutcome> {
    const run = this.#chain.then(() => this.#execute(alertId, command, actor));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #execute(alertId: string, command: AlertCommand, actor: Actor): Promise<AlertCommandOutcome> {
    const key = `cmd:${command.commandId}`;
    const answered = this.#answered.get(key);
    if (answered) return { ok: true, result: { ...answered, duplicate: true } };
    const alert = this.deps.alerts()?.get(alertId);
    if (!alert) return { ok: false, code: 'not_found', message: `no alert ${alertId}` };
    if (command.expectedVersion !== alert.version) {
      return { ok: false, code: 'version_conflict', message: `the alert changed since version ${command.expectedVersion}: it is now at version ${alert.version} (${alert.status})`, current: alert };
    }
    const decision = decideAlert(alert, command, actor, this.deps.clock());
    if (!decision.ok) return { ok: false, code: decision.reason, message: decision.message, current: alert };
    const [outcome] = await this.deps.store.append([{ id: this.deps.newId(), sourceKey: key, type: decision.type, data: decision.data } as EventDraft]);
    const event = outcome!.event;
    const after = this.deps.alerts()?.get(alertId) ?? alert;
    const result: AlertCommandResult = { alertId, version: after.version, status: after.status, event: { seq: event.seq, id: event.id, type: event.type }, duplicate: outcome!.duplicate };
    this.#answered.set(key, result);
    if (this.#answered.size > RECENT) this.#answered.delete(this.#answered.keys().next().value!);
    return { ok: true, result };
  }
}
