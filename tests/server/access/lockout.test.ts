/**
 * Brute force on sign-in (server/auth/lockout.ts): LOGIN_MAX_FAILURES wrong passwords for a name from one address
 * lock the name *from that address* (429 `locked` with Retry-After, even for the right password), in parallel as in
 * sequence; a stranger's failures from elsewhere never lock the owner out of its own address; many failures at one
 * name from everywhere, or from one address whatever the names (a centre behind NAT), only slow new addresses down,
 * never the addresses the name signed in from; kiosk codes are never refused when right; an admin's unlock lifts it
 * all; and each failure and each locked attempt is in the audit log. Client addresses come from X-Forwarded-For
 * (TRUST_PROXY=loopback). The same across two nodes through Redis: tests/server/access/lockout-redis.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { asAdmin, originOf } from '../../helpers/auth.js';
import { startServer } from '../../helpers/server.js';
import { ACCESS_PASSWORD, createKiosk, createUser } from './principals.js';

const MAX_FAILURES = 2;
const LOCK_MINUTES = 15;
/** Long enough that a slowed name or address is still slowed when the test looks again. */
const SLOW_SECONDS = 600;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ LOGIN_MAX_FAILURES: MAX_FAILURES, LOGIN_LOCK_MINUTES: LOCK_MINUTES, LOGIN_SLOW_SECONDS: SLOW_SECONDS, TRUST_PROXY: 'loopback' });
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
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...originOf(server) },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any, cookie: res.headers.getSetCookie().length > 0 };
}

async function kioskSignIn(from: string, code: string) {
  const res = await fetch(`${server.url}/api/auth/kiosk`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from, ...originOf(server) }, body: JSON.stringify({ code }) });
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
    // The name from that address is locked; from another address it signs in (a stranger's guesses lock out
    // only the stranger).
    expect((await signIn(newAddress(), victim.username, ACCESS_PASSWORD)).status).toBe(200);
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

describe('a stranger', () => {
  it("never locks the admin out of the right password from the admin's own address", SLOW, async () => {
    const admin = await createUser(server, { username: `adm-${unique()}`, role: 'admin' });
    const office = newAddress();
    expect((await signIn(office, admin.username, ACCESS_PASSWORD)).status).toBe(200);
    // Strangers at many addresses: each is locked out after its own few guesses, the name's overall budget spent.
    const strangers = Array.from({ length: 12 }, newAddress);
    const guesses = await Promise.all(strangers.flatMap((from) => Array.from({ length: MAX_FAILURES + 1 }, (_, i) => signIn(from, admin.username, `guess-${i}-guess`))));
    expect(guesses.every((g) => g.status === 401 || g.status === 429)).toBe(true);
    expect((await signIn(strangers[0]!, admin.username, ACCESS_PASSWORD)).status).toBe(429);
    // The admin at the office: in at once, whatever the strangers did.
    expect((await signIn(office, admin.username, ACCESS_PASSWORD)).status).toBe(200);
    // At a new address, past the name's budget, it is slowed (the strangers took this slot): a 429 whose Retry-After
    // is the slow-down's (LOGIN_SLOW_SECONDS), shorter than the window's lock.
    const slowed = await signIn(newAddress(), admin.username, ACCESS_PASSWORD);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.retryAfter)).toBeLessThanOrEqual(SLOW_SECONDS);
    expect(SLOW_SECONDS).toBeLessThan(LOCK_MINUTES * 60);
  });
});

describe('an address', () => {
  it(`after ${10 * MAX_FAILURES} failures whatever names it tries, is slowed to one attempt per LOGIN_SLOW_SECONDS`, SLOW, async () => {
    const user = await createUser(server, { username: `addr-${unique()}`, role: 'duty' });
    const from = newAddress();
    // Each name stays under its own limit; the address spends its whole budget.
    await Promise.all(Array.from({ length: 10 * MAX_FAILURES }, () => signIn(from, `nobody-${unique()}`, 'guess-guess-guess')));
    // Brute force from it is slowed: of a burst of guesses at fresh names, one is checked, the rest wait.
    const burst = await Promise.all(Array.from({ length: 6 }, () => signIn(from, `nobody-${unique()}`, 'guess-guess-guess')));
    expect(burst.filter((b) => b.status === 401).length, burst.map((b) => b.status).join(' ')).toBeLessThanOrEqual(1);
    const slowed = burst.find((b) => b.status === 429)!;
    expect(slowed.body.error.code).toBe('locked');
    expect(Number(slowed.retryAfter)).toBeGreaterThan(0);
    expect(Number(slowed.retryAfter)).toBeLessThanOrEqual(SLOW_SECONDS);
    expect((await signIn(newAddress(), user.username, ACCESS_PASSWORD)).status).toBe(200);
  });

  it('behind NAT: colleagues who signed in from it before are not slowed by the others’ failures', SLOW, async () => {
    const centre = newAddress();
    const colleague = await createUser(server, { username: `nat-${unique()}`, role: 'duty' });
    expect((await signIn(centre, colleague.username, ACCESS_PASSWORD)).status).toBe(200);
    await Promise.all(Array.from({ length: 10 * MAX_FAILURES + 5 }, (_, i) => signIn(centre, `typo-${i}-${unique()}`, 'wrong-password')));
    expect((await signIn(centre, colleague.username, ACCESS_PASSWORD)).status).toBe(200);
    expect((await signIn(centre, colleague.username, ACCESS_PASSWORD)).status).toBe(200);
  });
});

describe('an admin', () => {
  it('unlocks a locked name: the right password works again from the locked address, and it is audited', SLOW, async () => {
    const user = await createUser(server, { username: `unl-${unique()}`, role: 'duty' });
    const from = newAddress();
    for (let i = 0; i < MAX_FAILURES; i++) await signIn(from, user.username, 'wrong-password');
    expect((await signIn(from, user.username, ACCESS_PASSWORD)).status).toBe(429);
    const unlocked = await asAdmin(server, 'POST', `/api/admin/users/${user.id}/unlock`, {});
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.username).toBe(user.username);
    expect((await signIn(from, user.username, ACCESS_PASSWORD)).status).toBe(200);
    expect((await asAdmin(server, 'POST', '/api/admin/users/no-such-user/unlock', {})).body.error.code).toBe('not_found');
    await vi.waitFor(async () => {
      const entries = (await asAdmin(server, 'GET', '/api/admin/audit?action=login.unlocked&limit=500')).body.items.filter((e: any) => e.target === user.id);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ outcome: 'ok', actor: { role: 'admin' }, details: { username: user.username } });
    });
  });
});

describe('kiosk codes', () => {
  it("wrong codes are refused with 429 past the address's budget; a right code is never refused, even there", SLOW, async () => {
    const kiosk = await createKiosk(server);
    const centre = newAddress();
    const wrong = [];
    for (let i = 0; i < 10 * MAX_FAILURES + 2; i++) wrong.push(await kioskSignIn(centre, `not-a-kiosk-code-${i}-xxxxxxxx`));
    expect(wrong.at(-1)!.status).toBe(429);
    expect(Number(wrong.at(-1)!.retryAfter)).toBeGreaterThan(0);
    // The wall behind the same address signs in, and so does it at its own.
    expect((await kioskSignIn(centre, kiosk.code)).status).toBe(200);
    expect((await kioskSignIn(newAddress(), kiosk.code)).status).toBe(200);
  });

  it("are not locked by users' failed passwords from the same address", SLOW, async () => {
    const kiosk = await createKiosk(server);
    const centre = newAddress();
    await Promise.all(Array.from({ length: 10 * MAX_FAILURES + 5 }, () => signIn(centre, `nobody-${unique()}`, 'guess-guess-guess')));
    expect((await kioskSignIn(centre, kiosk.code)).status).toBe(200);
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
