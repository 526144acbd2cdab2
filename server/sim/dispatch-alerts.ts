/**
 * The simulated duty officers' side of risk alerts: each open alert is acknowledged after a short pause and closed
 * some hours later with a note, like a desk that works its alert list. Through the public alert API only.
 */
import type { AlertRecord } from '../../shared/risk.js';
import { hashText, HOUR_MS, lognormal, MINUTE_MS, notBefore, type SimContext } from './dispatch-context.js';
import { DUTY_OFFICERS } from './dispatch-texts.js';
import { Rng } from './random.js';

const SALT_ALERT = 0xa1e;
const ALERT_LIMIT = 200;
const CLOSE_NOTES = ['已核实，街道跟进化解', '已联系涉事单位，情况稳定', '已转相关部门处置，风险可控', '经研判为一般性纠纷，纳入日常调处', '已吹哨相关部门，持续关注'];

export class AlertDesk {
  /** Alert id → the version a step was planned for, so each version is planned once. */
  readonly #planned = new Map<string, number>();

  constructor(private readonly ctx: SimContext) {}

  async poll(): Promise<void> {
    const page = await this.ctx.http.get<{ alerts: AlertRecord[] }>(`/api/alerts?status=open&limit=${ALERT_LIMIT}`, { role: 'duty', name: DUTY_OFFICERS[0]! });
    if (!page) return;
    const open = new Set<string>();
    for (const alert of page.alerts) {
      open.add(alert.id);
      if (this.#planned.get(alert.id) === alert.version) continue;
      this.#planned.set(alert.id, alert.version);
      const rng = Rng.of(this.ctx.seed, SALT_ALERT, hashText(alert.id), alert.version);
      const acknowledge = alert.status === 'raised';
      // Acknowledged within minutes; closed once handled, a few hours later.
      const pause = acknowledge ? lognormal(rng, 4 * MINUTE_MS, 0.7, MINUTE_MS, 30 * MINUTE_MS) : lognormal(rng, 3 * HOUR_MS, 0.8, 30 * MINUTE_MS, 24 * HOUR_MS);
      const from = Math.max(Date.parse(acknowledge ? alert.raisedAt : (alert.acknowledged?.at ?? alert.raisedAt)), this.ctx.since);
      const actor = { role: 'duty' as const, name: DUTY_OFFICERS[hashText(alert.id) % DUTY_OFFICERS.length]! };
      const body = acknowledge
        ? { type: 'acknowledge' as const, commandId: `sim-ack-${alert.id}`.slice(0, 64), expectedVersion: alert.version }
        : { type: 'close' as const, commandId: `sim-close-${alert.id}`.slice(0, 64), expectedVersion: alert.version, note: rng.pick(CLOSE_NOTES) };
      this.ctx.agenda.at(notBefore(this.ctx, from + pause), async () => {
        // A refusal (someone else acted first, or it closed itself) is fine: the next poll sees the alert as it is.
        await this.ctx.http.alertCommand(alert.id, actor, body);
      });
    }
    for (const id of this.#planned.keys()) if (!open.has(id)) this.#planned.delete(id);
  }
}
