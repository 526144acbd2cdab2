/**
 * Turns committed case events into `case:changed` notices for the work rooms: the duty room hears of every case
 * change, each department of changes to whistles it has a part in, the leader room of escalations. A notice names
 * what changed, never who the parties are; the consoles fetch details over HTTP.
 */
import { isAccessEvent, isAlertEvent, type StoredEvent } from '../../shared/events.js';
import { rooms } from '../../shared/rooms.js';
import type { AlertNotice, CaseNotice } from '../../shared/socket.js';
import type { CaseIndex } from '../domain/case-index.js';

export function caseNotices(events: readonly StoredEvent[], index: CaseIndex): Map<string, CaseNotice[]> {
  const byRoom = new Map<string, CaseNotice[]>();
  const send = (room: string, notice: CaseNotice) => {
    const list = byRoom.get(room);
    if (list) list.push(notice);
    else byRoom.set(room, [notice]);
  };
  for (const event of events) {
    if (isAlertEvent(event) || isAccessEvent(event)) continue;
    const context = event.type === 'case.reported' ? event.data : event.data.case;
    const notice: CaseNotice = {
      seq: event.seq,
      type: event.type,
      caseId: context.caseId,
      at: event.at,
      category: context.category,
      streetCode: context.streetCode,
      communityCode: context.communityCode,
    };
    const d = event.data as { whistleId?: string; deptId?: string; stage?: CaseNotice['stage']; urgency?: CaseNotice['urgency'] };
    if (d.deptId) notice.deptId = d.deptId;
    if (d.stage) notice.stage = d.stage;
    if (d.urgency) notice.urgency = d.urgency;
    if (d.whistleId) {
      notice.whistleId = d.whistleId;
      const record = index.get(context.caseId);
      const whistle = [record?.whistle, ...(record?.previousWhistles ?? [])].find((w) => w?.whistleId === d.whistleId);
      if (whistle) notice.departments = whistle.assignments.map((a) => a.deptId);
    }
    send(rooms.role('duty'), notice);
    for (const deptId of notice.departments ?? []) send(rooms.department(deptId), notice);
    if (event.type === 'whistle.escalated') send(rooms.role('leader'), notice);
  }
  return byRoom;
}

/** Alert notices for the duty desk and the leader: which alert changed and where, nothing more. */
export function alertNotices(events: readonly StoredEvent[]): AlertNotice[] {
  const notices: AlertNotice[] = [];
  for (const event of events) {
    if (event.type === 'case.whistled' && event.data.alertId) {
      const c = event.data.case;
      notices.push({ seq: event.seq, type: event.type, alertId: event.data.alertId, at: event.at, streetCode: c.streetCode, communityCode: c.communityCode });
    }
    if (!isAlertEvent(event)) continue;
    const d = event.data;
    notices.push({ seq: event.seq, type: event.type, alertId: d.alertId, at: event.at, streetCode: d.streetCode, ...(d.communityCode && { communityCode: d.communityCode }) });
  }
  return notices;
}
