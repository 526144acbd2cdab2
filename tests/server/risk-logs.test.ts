/**
 * Personal data never reaches the server's log: a server in its own process at log level `trace` takes cases whose
 * parties carry a name, a phone and an ID number, raises rule alerts from them (collective, repeat petitions), shows
 * one case masked and then unmasked to the duty desk, and refuses a bad request; nothing it printed holds any of the
 * three.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { authHeaders } from '../helpers/auth.js';
import { DUTY, get } from '../helpers/dispatch.js';
import { caseReported } from '../helpers/factories.js';
import { post } from '../helpers/server.js';

const ID_NUMBER = '44030719770303456X';
const PHONE = '13698765432';
const NAME = '司马长风';

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('the server log', () => {
  it('holds no name, phone or ID number of a party, at log level trace', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sygl-logs-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '../helpers/server-child.ts'), dataDir, 'trace'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        const line = printed.split('\n').find((l) => l.startsWith('{"url"'));
        if (line) {
          clearInterval(poll);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      }, 20);
      child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    });
    const server = { url };
    const party = { role: 'applicant' as const, name: NAME, phone: PHONE, idNumber: ID_NUMBER };
    const petitions = Array.from({ length: 4 }, () => caseReported({ kind: 'petition', petitionForm: 'visit', peopleInvolved: 1, parties: [party] }));
    const intake = await post(server, { events: [caseReported({ peopleInvolved: 300, parties: [party] }), ...petitions] });
    expect(intake.status).toBe(201);
    // Reading the case masked and unmasking it (an audited request) logs none of it either.
    const caseId = intake.body.results[0].caseId as string;
    expect((await get(server, `/api/cases/${caseId}`)).body.masked).toBe(true);
    const unmasked = await fetch(`${url}/api/cases/${caseId}/unmask`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await authHeaders(server, DUTY)) }, body: JSON.stringify({ reason: '核实当事人身份' }) });
    expect(((await unmasked.json()) as { parties: Array<{ name: string }> }).parties[0]!.name).toBe(NAME);
    // A refused request echoes nothing of the body either.
    expect((await post(server, caseReported({ parties: [{ ...party, phone: `${PHONE}x` }] }))).status).toBe(400);
    const rules = new Set<string>();
    const deadline = Date.now() + 10_000;
    while ((!rules.has('collective') || !rules.has('repeatPetition')) && Date.now() < deadline) {
      for (const a of (await get(server, '/api/alerts')).body.alerts as Array<{ rule?: string }>) if (a.rule) rules.add(a.rule);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...rules].sort()).toEqual(expect.arrayContaining(['collective', 'repeatPetition']));
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(printed.length).toBeGreaterThan(0);
    for (const secret of [ID_NUMBER, ID_NUMBER.toLowerCase(), PHONE, NAME]) expect(printed).not.toContain(secret);
  });
});
