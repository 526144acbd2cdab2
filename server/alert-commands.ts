/**
 * Acknowledging and closing alerts: checks the alert's version, lets the shared `decideAlert` decide, appends the
 * one event, and answers after commit. Commands run one at a time (alerts are few and rarely contended), so two
 * officers closing one alert at once get one 201 and one 409. `cmd:<commandId>` is the event's source key.
 *
 * One at a time holds on this node only; another node, or a whistle or rule update on this one, may change the alert
 * between the check and the write. So the append carries a precondition the store checks under its append lock: no
 * event about the alert after its version (the seq of the latest one this node applied). When one got in first, the
 * command gets 409, once this node has applied that event.
 *
 * A command id answers its stored result only to the caller who first used it, on that alert; anyone else, or the
 * same id on another alert (or a case), gets `command_id_reused` and nothing of the first command.
 */
import type { Actor } from '../shared/dispatch.js';
import { isAlertEvent, type EventDraft } from '../shared/events.js';
import { decideAlert, type AlertCommand, type AlertRecord } from '../shared/risk.js';
import type { AlertRegistry } from './domain/risk/alerts.js';
import { AppendConflictError, type AppendOutcome, type EventStore } from './store/event-store.js';

export interface AlertCommandResult {
  alertId: string;
  version: number;
  status: AlertRecord['status'];
  event: { seq: number; id: string; type: string };
  duplicate: boolean;
}

export type AlertCommandOutcome =
  | { ok: true; result: AlertCommandResult }
  | { ok: false; code: 'not_found' | 'forbidden' | 'invalid_transition' | 'version_conflict' | 'command_id_reused'; message: string; current?: AlertRecord };

/** How many answered commands are remembered for retries. */
const RECENT = 10_000;

/** How long a refused command waits for this node to apply the event that beat it before answering with what it has. */
const CATCH_UP_MS = 3_000;
/** The registry offers no way to be told when it applied an event: a refused command looks this often. */
const CATCH_UP_POLL_MS = 5;

export class AlertCommands {
  #chain: Promise<unknown> = Promise.resolve();
  readonly #answered = new Map<string, { actorId: string; result: AlertCommandResult }>();

  constructor(private readonly deps: { store: EventStore; alerts: () => AlertRegistry | null; clock: () => number; newId: () => string }) {}

  execute(alertId: string, command: AlertCommand, actor: Actor): Promise<AlertCommandOutcome> {
    const run = this.#chain.then(() => this.#execute(alertId, command, actor));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #execute(alertId: string, command: AlertCommand, actor: Actor): Promise<AlertCommandOutcome> {
    const key = `cmd:${command.commandId}`;
    const answered = this.#answered.get(key);
    if (answered && (answered.result.alertId !== alertId || answered.actorId !== actor.id)) return reused();
    if (answered) return { ok: true, result: { ...answered.result, duplicate: true } };
    const alert = this.deps.alerts()?.get(alertId);
    if (!alert) return { ok: false, code: 'not_found', message: 'no such alert' };
    if (command.expectedVersion !== alert.version) return versionConflict(command.expectedVersion, alert);
    const decision = decideAlert(alert, command, actor, this.deps.clock());
    if (!decision.ok) return { ok: false, code: decision.reason, message: decision.message, current: alert };
    const draft = { id: this.deps.newId(), sourceKey: key, type: decision.type, data: decision.data } as EventDraft;
    // The alert's version, not the node's applied seq (this service is not told that one): correct, and the store scans
    // only the events since the alert last changed.
    const precondition = { subject: { kind: 'alert' as const, id: alertId }, afterSeq: alert.version };
    let outcome: AppendOutcome | undefined;
    try {
      [outcome] = await this.deps.store.append([draft], { precondition });
    } catch (error) {
      if (!(error instanceof AppendConflictError)) throw error;
      await this.#caughtUp(alertId, error.seq);
      return versionConflict(command.expectedVersion, this.deps.alerts()?.get(alertId) ?? alert);
    }
    const event = outcome!.event;
    // An id this node did not answer (another node's, or one older than it remembers) is found by the store: its
    // event must be this caller's, on this alert (a case command's id lands here too).
    if (outcome!.duplicate && (!isAlertEvent(event) || event.data.alertId !== alertId || (event.data as { actor?: Actor }).actor?.id !== actor.id)) return reused();
    const after = this.deps.alerts()?.get(alertId) ?? alert;
    const result: AlertCommandResult = { alertId, version: after.version, status: after.status, event: { seq: event.seq, id: event.id, type: event.type }, duplicate: outcome!.duplicate };
    this.#answered.set(key, { actorId: actor.id, result });
    if (this.#answered.size > RECENT) this.#answered.delete(this.#answered.keys().next().value!);
    return { ok: true, result };
  }

  /** Until this node's registry shows the alert at `seq` or later, or CATCH_UP_MS passed. */
  async #caughtUp(alertId: string, seq: number): Promise<void> {
    const giveUp = Date.now() + CATCH_UP_MS;
    while ((this.deps.alerts()?.get(alertId)?.version ?? 0) < seq && Date.now() < giveUp) {
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
    }
  }
}

function versionConflict(expectedVersion: number, current: AlertRecord): AlertCommandOutcome {
  return {
    ok: false,
    code: 'version_conflict',
    message: `the alert changed since version ${expectedVersion}: it is now at version ${current.version} (${current.status})`,
    current,
  };
}

function reused(): AlertCommandOutcome {
  return { ok: false, code: 'command_id_reused', message: 'this commandId was already used for another command; send each command with a new id' };
}
