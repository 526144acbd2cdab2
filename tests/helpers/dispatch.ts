/** Drives the dispatch API the way the consoles do: a signed-in session, a fresh command id per action. */
import { randomUUID } from 'node:crypto';
import type { CommandInput } from '../../shared/dispatch.js';
import { caseReported } from './factories.js';
import { post } from './server.js';

import { authHeaders, DUTY, keepRenewed, type Who } from './auth.js';

export { asDept, DUTY, LEADER, type Who } from './auth.js';

type Body = { [K: string]: any };
/** A command without its id (one is made up) — distributed over the union so each type keeps its own fields. */
export type CommandBody = CommandInput extends infer C ? (C extends unknown ? Omit<C, 'commandId'> & { commandId?: string } : never) : never;

export async function command(server: { url: string }, caseId: string, who: Who, body: CommandBody) {
  const res = await fetch(`${server.url}/api/cases/${caseId}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeaders(server, who)) },
    body: JSON.stringify({ commandId: randomUUID(), ...body }),
  });
  keepRenewed(server, who, res);
  return { status: res.status, body: (await res.json()) as Body };
}

export async function get(server: { url: string }, path: string, who: Who = DUTY) {
  const res = await fetch(`${server.url}${path}`, { headers: await authHeaders(server, who) });
  keepRenewed(server, who, res);
  return { status: res.status, body: (await res.json()) as Body };
}

/** Reports a case through intake and returns its id. */
export async function reportCase(server: { url: string }, overrides: Parameters<typeof caseReported>[0] = {}): Promise<string> {
  const res = await post(server, caseReported(overrides));
  if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.results[0].caseId as string;
}

/** Reports, triages and whistles a case; returns its id and version after the whistle. */
export async function whistledCase(server: { url: string }, whistle: { lead: string; assists?: string[]; urgency?: 'critical' | 'urgent' | 'normal' }, overrides: Parameters<typeof caseReported>[0] = {}) {
  const caseId = await reportCase(server, overrides);
  const triaged = await command(server, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier: 'community', channel: 'people' });
  if (triaged.status !== 201) throw new Error(JSON.stringify(triaged.body));
  const w = await command(server, caseId, DUTY, { type: 'whistle', expectedVersion: 2, urgency: whistle.urgency ?? 'normal', lead: whistle.lead, assists: whistle.assists ?? [] });
  if (w.status !== 201) throw new Error(JSON.stringify(w.body));
  return { caseId, version: w.body.version as number };
}
