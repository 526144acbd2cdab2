/**
 * Conflicting commands on two nodes of one PostgreSQL log, each node a real process: the same command (same
 * expectedVersion, different choices) sent to both nodes at once, round after round. Each node checks the version on
 * its own projections, which lag the other node's commits by a few milliseconds, so without the store's append
 * precondition both would be accepted now and then. Exactly one must win each round; the other gets 409 with the
 * winner's state as `current`, and the log holds one event per round.
 *
 * TEST_DATABASE_URL picks the server (default postgres://postgres@127.0.0.1:5432/test). Off CI an unreachable
 * server skips the suite with the reason; on CI it is a failure.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { authHeaders, cookieFor } from '../helpers/auth.js';
import { command, DUTY, type CommandBody } from '../helpers/dispatch.js';
import { alertRaised, caseReported } from '../helpers/factories.js';
import { dropSchemas, freshSchemaName, requirePostgres, sql, testDatabaseUrl } from '../helpers/pg-env.js';
import { killNodes, startNode, type Node } from '../helpers/pg-nodes.js';
import { post, RecordingClient } from '../helpers/server.js';

const skip = (await requirePostgres('multi-node PostgreSQL command tests')) !== undefined;
const CASES = 20;
const ALERTS = 15;

type Answer = { status: number; body: { [K: string]: any } };

async function alertCommand(node: Node, alertId: string, body: { type: 'acknowledge'; expectedVersion: number; note?: string }): Promise<Answer> {
  const res = await fetch(`${node.url}/api/alerts/${alertId}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeaders(node, DUTY)) },
    body: JSON.stringify({ commandId: randomUUID(), ...body }),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/**
 * Sends both commands at once (node A's first on even rounds, B's on odd ones, so neither always has a head start)
 * and expects one 201 and one 409 version_conflict; returns which won, and both answers.
 */
async function race(round: number, a: () => Promise<Answer>, b: () => Promise<Answer>) {
  const answers = round % 2 === 0 ? await Promise.all([a(), b()]) : (await Promise.all([b(), a()])).reverse();
  expect(answers.map((x) => x.status).sort()).toEqual([201, 409]);
  const won = answers[0]!.status === 201 ? 0 : 1;
  const [winner, loser] = [answers[won]!, answers[1 - won]!];
  expect(loser.body.error.code).toBe('version_conflict');
  return { won, winner, loser };
}

/** The number of events of each type in the log, per case or alert id, and whether seq is gapless. */
async function logCounts(schema: string) {
  const rows = await sql<{ seq: string; type: string; subject: string | null }>(
    `SELECT seq, type, coalesce(data -> 'case' ->> 'caseId', data ->> 'alertId') AS subject FROM "${schema}".events ORDER BY seq`,
  );
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.type} ${r.subject}`, (counts.get(`${r.type} ${r.subject}`) ?? 0) + 1);
  return { counts, seqs: rows.map((r) => Number(r.seq)) };
}

// Two nodes, each a child process on one PostgreSQL log: the whole suite runs beside it in CI, so the 30 s default is too short (it timed out at load 11).
describe.skipIf(skip)('conflicting commands on two nodes of one PostgreSQL log', { timeout: 240_000 }, () => {
  const schemas: string[] = [];
  const walls: RecordingClient[] = [];

  afterEach(() => {
    for (const w of walls.splice(0)) w.close();
    killNodes();
  });
  afterAll(async () => {
    await dropSchemas(schemas);
  });

  async function twoNodes(): Promise<{ schema: string; a: Node; b: Node }> {
    const schema = freshSchemaName();
    schemas.push(schema);
    const a = await startNode({ DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema });
    const b = await startNode({ DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema });
    // Signed in before the races, so neither node's first command waits for a sign-in.
    for (const node of [a, b]) await cookieFor(node, DUTY);
    return { schema, a, b };
  }

  /** Resolves once both nodes have applied the log up to `seq` (their wall streams say so). */
  async function bothAt(nodes: Node[], seq: number): Promise<void> {
    const clients = nodes.map((n) => new RecordingClient(n.url));
    walls.push(...clients);
    await Promise.all(clients.map((c) => c.until(seq)));
  }

  it('accepts exactly one of two triages, then of two whistles, sent to both nodes at once, and the loser sees the winner', async () => {
    const { schema, a, b } = await twoNodes();
    const intake = await post(a, { events: Array.from({ length: CASES }, () => caseReported()) });
    expect(intake.status).toBe(201);
    const caseIds = (intake.body.results as Array<{ caseId: string }>).map((r) => r.caseId);
    await bothAt([a, b], intake.body.results.at(-1).seq);

    for (const [round, caseId] of caseIds.entries()) {
      const tiers = ['community', 'street'] as const;
      const triage = (node: Node, tier: (typeof tiers)[number]) => () =>
        command(node, caseId, DUTY, { type: 'triage', expectedVersion: 1, tier, channel: 'people' } satisfies CommandBody);
      const triaged = await race(round, triage(a, tiers[0]), triage(b, tiers[1]));
      expect(triaged.winner.body).toMatchObject({ caseId, version: 2, status: 'triaged' });
      // The loser waited for its node to apply the winner's event: `current` is the winner's triage, not the old case.
      expect(triaged.loser.body.error.current).toMatchObject({ id: caseId, version: 2, status: 'triaged', tier: tiers[triaged.won] });

      const leads = ['labour', 'justice'] as const;
      const whistle = (node: Node, lead: string) => () =>
        command(node, caseId, DUTY, { type: 'whistle', expectedVersion: 2, urgency: 'normal', lead, assists: [] } satisfies CommandBody);
      const whistled = await race(round, whistle(a, leads[0]), whistle(b, leads[1]));
      expect(whistled.winner.body).toMatchObject({ caseId, version: 3, status: 'whistled' });
      const current = whistled.loser.body.error.current;
      expect(current).toMatchObject({ id: caseId, version: 3, status: 'whistled' });
      expect(current.whistle.assignments.map((x: { deptId: string }) => x.deptId)).toEqual([leads[whistled.won]]);
    }

    const { counts, seqs } = await logCounts(schema);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    for (const caseId of caseIds) {
      expect(counts.get(`case.triaged ${caseId}`)).toBe(1);
      expect(counts.get(`case.whistled ${caseId}`)).toBe(1);
    }
  });

  it('accepts exactly one of two acknowledgements of an alert sent to both nodes at once', async () => {
    const { schema, a, b } = await twoNodes();
    const intake = await post(b, { events: Array.from({ length: ALERTS }, () => alertRaised()) });
    expect(intake.status).toBe(201);
    const alerts = (intake.body.results as Array<{ alertId: string; seq: number }>).map((r) => ({ id: r.alertId, version: r.seq }));
    await bothAt([a, b], alerts.at(-1)!.version);

    for (const [round, alert] of alerts.entries()) {
      const acknowledge = (node: Node, note: string) => () => alertCommand(node, alert.id, { type: 'acknowledge', expectedVersion: alert.version, note });
      const { winner, loser } = await race(round, acknowledge(a, 'A'), acknowledge(b, 'B'));
      expect(winner.body).toMatchObject({ alertId: alert.id, status: 'acknowledged', version: winner.body.event.seq });
      expect(loser.body.error.current).toMatchObject({ id: alert.id, status: 'acknowledged', version: winner.body.event.seq });
    }

    const { counts, seqs } = await logCounts(schema);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    for (const alert of alerts) expect(counts.get(`alert.acknowledged ${alert.id}`)).toBe(1);
  });
});
