/**
 * What the console browser tests add to harness.ts: Chromium allowed to play sound without a user gesture (so the
 * department console's alert can be heard by a headless test), commands sent as a signed-in duty officer or
 * department for background data, and a few cases in different states so the screenshots show a desk mid-shift.
 */
import { chromium, type Browser } from 'playwright-core';
import type { CaseSummary } from '../../shared/api.js';
import type { CommandInput, CommandResult } from '../../shared/dispatch.js';
import { asDept, authHeaders, DUTY, type Who } from '../helpers/auth.js';
import { BANTIAN, caseReported, GANGTOU, MAAN_TANG, PINGHU } from '../helpers/factories.js';
import { CHROMIUM, postEvents } from './harness.js';

export async function launchConsoleChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      // The department console's alert sound: a real desk unlocks it with one click; a headless test cannot click first.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export type TestActor = { role: 'duty' } | { role: 'dept'; deptId: string };

const whoOf = (actor: TestActor): Who => (actor.role === 'dept' ? asDept(actor.deptId) : DUTY);

/** A command without the fields this helper fills in (distributed over the union, so each type keeps its fields). */
type CommandFields = CommandInput extends infer C ? (C extends unknown ? Omit<C, 'commandId' | 'expectedVersion'> : never) : never;

let commandCounter = 0;

/** Sends a command over HTTP (for background data only; the flow under test goes through the UI). */
export async function command(baseUrl: string, caseId: string, actor: TestActor, body: CommandFields): Promise<CommandResult> {
  const server = { url: baseUrl };
  const current = await fetch(`${baseUrl}/api/cases/${caseId}`, { headers: await authHeaders(server, DUTY) });
  const { case: summary } = (await current.json()) as { case: CaseSummary };
  commandCounter += 1;
  const res = await fetch(`${baseUrl}/api/cases/${caseId}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeaders(server, whoOf(actor))) },
    body: JSON.stringify({ ...body, commandId: `seed-${process.pid}-${commandCounter}`, expectedVersion: summary.version }),
  });
  const answer = (await res.json()) as CommandResult;
  if (!res.ok) throw new Error(`${body.type} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** A desk mid-shift: new cases in several streets, one triaged, one whistled and half reported in, one returned. */
export async function seedConsoleScenario(baseUrl: string): Promise<void> {
  const duty: TestActor = { role: 'duty' };
  const results = await postEvents(baseUrl, [
    caseReported({ category: 'neighbour', title: '楼上漏水引发邻里纠纷', severity: 2, peopleInvolved: 2, source: 'grid', communityCode: MAAN_TANG }),
    caseReported({ category: 'property', title: '小区物业费上涨业主集体投诉', severity: 3, peopleInvolved: 25, source: 'online', streetCode: PINGHU, communityCode: '440307003002' }),
    caseReported({ category: 'traffic', title: '电动车与行人碰撞赔偿争议', severity: 2, peopleInvolved: 2, source: 'police' }),
    caseReported({ category: 'family', title: '离婚后子女探视权纠纷', severity: 2, peopleInvolved: 3, source: 'walkin', communityCode: GANGTOU }),
    caseReported({ category: 'debt', title: '装修款拖欠纠纷', severity: 3, peopleInvolved: 2, source: 'court', streetCode: BANTIAN }),
    caseReported({ category: 'housing', title: '租房押金不退纠纷', severity: 1, peopleInvolved: 1, source: 'hotline' }),
  ]);
  const [neighbour, property, traffic, family, debt] = results.map((r) => r.caseId!);
  await command(baseUrl, neighbour!, duty, { type: 'triage', tier: 'community', channel: 'people' });
  await command(baseUrl, property!, duty, { type: 'triage', tier: 'street', channel: 'administrative' });
  await command(baseUrl, property!, duty, { type: 'whistle', urgency: 'urgent', lead: 'housing', assists: ['street-440307003', 'petition'] });
  await command(baseUrl, property!, { role: 'dept', deptId: 'housing' }, { type: 'reportIn' });
  await command(baseUrl, traffic!, duty, { type: 'triage', tier: 'community', channel: 'people' });
  await command(baseUrl, traffic!, duty, { type: 'whistle', urgency: 'critical', lead: 'traffic-police', assists: ['justice'] });
  await command(baseUrl, traffic!, duty, { type: 'supervise', deptId: 'traffic-police' });
  await command(baseUrl, family!, duty, { type: 'triage', tier: 'community', channel: 'people' });
  await command(baseUrl, family!, duty, { type: 'whistle', urgency: 'normal', lead: 'women-federation', assists: [] });
  await command(baseUrl, family!, { role: 'dept', deptId: 'women-federation' }, { type: 'return', reason: '涉及抚养权变更，应由法院处理，非本部门职责' });
  await command(baseUrl, debt!, duty, { type: 'triage', tier: 'street', channel: 'judicial' });
}
