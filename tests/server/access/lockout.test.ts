/**
 * Brute force on sign-in: LOGIN_MAX_FAILURES wrong passwords lock the name (429 `locked` with Retry-After, even for
 * the right password), in parallel as in sequence; other names are unaffected; one address is locked after ten times
 * as many failures whatever names it tries; wrong kiosk codes lock out their sender, not every wall; and each failure
 * and each locked attempt is in the audit log. Client addresses come from X-Forwarded-For (TRUST_PROXY=loopback).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { asAdmin } from '../../helpers/auth.js';
import { startServer } from '../../helpers/server.js';
import { ACCESS_PASSWORD, createKiosk, createUser } from './principals.js';

const MAX_FAILURES = 2;
const LOCK_MINUTES = 15;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ LOGIN_MAX_FAILURES: MAX_FAILURES, LOGIN_LOCK_MINUTES: LOCK_MINUTES, TRUST_PROXY: 'loopback' });
});
afterAll(async () => {
  await server.close();
});

const unique = () => randomUUID().slice(0, 8);
/** Every sign-in checks a deliberately slow scrypt hash (a decoy one for unknown names): room for a loaded machine. */
const SLOW = { timeout: 120_000 };
let addresses = 0;
/** A client address of its own for each test, so the per-address budget of one never spills into another. */
const newAddress = () => `10.0.${Math.floor(++addresses / 250)}.${addresses % 250}`;

async function signIn(from: string, username: string, password: string) {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any, cookie: res.headers.getSetCookie().length > 0 };
}

async function kioskSignIn(from: string, code: string) {
  const res = await fetch(`${server.url}/api/auth/kiosk`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ code }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

describe('a user name', () => {
  it(`is locked after ${MAX_FAILURES} wrong passwords: 429 with Retry-After, even for the right password; others are unaffected`, SLOW, async () => {
    const victim = await createUser(server, { username: `lock-${unique()}`, role: 'duty' });
    const bystander = await createUser(server, { username: `by-${unique()}`, role: 'duty' });
    const from = newAddress();
    const failures = [];
    for (let i = 0; i < MAX_FAILURES; i++) failures.push((await signIn(from, victim.username, `wrong-password-${i}`)).status);
    expect(failures).toEqual(Array(MAX_FAILURES).fill(401));

    const locked = await signIn(from, victim.username, ACCESS_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('locked');
    expect(locked.cookie).toBe(false);
    const seconds = Number(locked.retryAfter);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(LOCK_MINUTES * 60);
    // From anywhere: the name is locked, not the address.
    expect((await signIn(newAddress(), victim.username, ACCESS_PASSWORD)).status).toBe(429);
    // Another user, from the same address, signs in.
    expect((await signIn(from, bystander.username, ACCESS_PASSWORD)).status).toBe(200);
  });

  it('is locked after as many wrong passwords sent all at once: no more guesses in parallel than in sequence', SLOW, async () => {
    const victim = await createUser(server, { username: `par-${unique()}`, role: 'duty' });
    const from = newAddress();
    const answers = await Promise.all(Array.from({ length: 4 * MAX_FAILURES }, (_, i) => signIn(from, victim.username, `parallel-guess-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length, `statuses: ${statuses.join(' ')}`).toBeLessThanOrEqual(MAX_FAILURES);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect((await signIn(from, victim.username, ACCESS_PASSWORD)).status).toBe(429);
  });

  it('is a clean slate after a successful sign-in', SLOW, async () => {
    const user = await createUser(server, { username: `ok-${unique()}`, role: 'duty' });
    const from = newAddress();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await signIn(from, user.username, 'wrong-password')).status).toBe(401);
      expect((await signIn(from, user.username, ACCESS_PASSWORD)).status).toBe(200);
    }
  });

  it('leaves login.failed and login.locked entries in the audit log, with the name typed and the address', SLOW, async () => {
    const name = `aud-${unique()}`;
    await createUser(server, { username: name, role: 'duty' });
    const from = newAddress();
    for (let i = 0; i < MAX_FAILURES; i++) await signIn(from, name, 'wrong-password');
    expect((await signIn(from, name, ACCESS_PASSWORD)).status).toBe(429);
    await vi.waitFor(async () => {
      const failed = (await asAdmin(server, 'GET', '/api/admin/audit?action=login.failed&limit=500')).body.items.filter((e: any) => e.actor.name === name);
      const locked = (await asAdmin(server, 'GET', '/api/admin/audit?action=login.locked&limit=500')).body.items.filter((e: any) => e.actor.name === name);
      expect(failed).toHaveLength(MAX_FAILURES);
      expect(locked).toHaveLength(1);
      for (const entry of [...failed, ...locked]) {
        expect(entry).toMatchObject({ actor: { kind: 'anonymous', name }, ip: from });
        expect(JSON.stringify(entry)).not.toContain('wrong-password');
      }
      expect(failed[0].outcome).toBe('failed');
      expect(locked[0].outcome).toBe('denied');
    });
  });
});

describe('an address', () => {
  it(`is locked after ${10 * MAX_FAILURES} failures whatever names it tries; other addresses are unaffected`, SLOW, async () => {
    const user = await createUser(server, { username: `addr-${unique()}`, role: 'duty' });
    const from = newAddress();
    // Each name stays under its own limit; the address spends its whole budget.
    await Promise.all(Array.from({ length: 10 * MAX_FAILURES }, () => signIn(from, `nobody-${unique()}`, 'guess-guess-guess')));
    const locked = await signIn(from, user.username, ACCESS_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect((await signIn(newAddress(), user.username, ACCESS_PASSWORD)).status).toBe(200);
  });
});

describe('kiosk codes', () => {
  it('wrong codes lock out the address that sends them, not every wall', SLOW, async () => {
    const kiosk = await createKiosk(server);
    const attacker = newAddress();
    for (let i = 0; i < 4 * MAX_FAILURES; i++) await kioskSignIn(attacker, `not-a-kiosk-code-${i}-xxxxxxxx`);
    const refused = await kioskSignIn(attacker, kiosk.code);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // The wall in the centre, at its own address, signs in.
    expect((await kioskSignIn(newAddress(), kiosk.code)).status).toBe(200);
  });

  it("cannot be locked out through user names that look like a kiosk's counter", SLOW, async () => {
    const kiosk = await createKiosk(server);
    const wall = newAddress();
    const attacker = newAddress();
    const names = [`kiosk:${wall}`, `(kiosk) ${wall}`, '(kiosk)', `user:kiosk:${wall}`];
    await Promise.all(names.flatMap((name) => Array.from({ length: MAX_FAILURES + 1 }, () => signIn(attacker, name, 'guess-guess-guess'))));
    expect((await kioskSignIn(wall, kiosk.code)).status).toBe(200);
  });
});
