/**
 * The route inventory: the routes the real server registers against the access table, both ways; the socket events
 * the contract declares against the socket rules; every rule and event against the access matrix's samples; and
 * docs/access-inventory.md against what all of that renders to, so the document stays generated.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { routeRules, socketRules, type RegisteredRoute } from '../../../server/auth/access.js';
import type { ClientToServerEvents } from '../../../shared/socket.js';
import { startServer } from '../../helpers/server.js';
import { declaredClientEvents, INVENTORY_FILE, renderInventory, unruled, UPDATE_COMMAND } from './inventory.js';
import { ruleKey, routeSamples, socketSamples } from './samples.js';

// The contract and the socket rules name the same events, or this file does not compile (npm test type-checks).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameSocketEvents: Same<keyof ClientToServerEvents, keyof typeof socketRules.events> = true;

let server: RunningServer;
let registered: RegisteredRoute[];
beforeAll(async () => {
  server = await startServer();
  const seen = new Set<string>();
  // A route registered twice (a rate limit in front of its handler) is one route.
  registered = server.routes().filter((r) => !seen.has(ruleKey(r)) && seen.add(ruleKey(r)));
});
afterAll(async () => {
  await server.close();
});

const keys = (routes: ReadonlyArray<{ method: string; path: string }>) => routes.map(ruleKey).sort();

describe('the routes the server registers', () => {
  it('are found by walking the router (a sanity check of the walk itself)', () => {
    expect(registered.length).toBeGreaterThan(30);
    expect(keys(registered)).toEqual(expect.arrayContaining(['GET /healthz', 'POST /api/events', 'PATCH /api/admin/users/:id']));
  });

  it('each have a rule in the access table, or are the known few that need none', () => {
    const ruled = new Set(keys(routeRules));
    const known = new Set(keys(unruled));
    const strays = registered.filter((r) => !ruled.has(ruleKey(r)) && !known.has(ruleKey(r)));
    expect(strays, 'routes the guard would serve to anyone: give each a rule in server/auth/access.ts').toEqual([]);
  });

  it('include every route the access table has a rule for', () => {
    const present = new Set(keys(registered));
    expect(routeRules.filter((rule) => !present.has(ruleKey(rule))), 'rules for routes nobody registers').toEqual([]);
  });

  it('have one rule each', () => {
    expect(new Set(keys(routeRules)).size).toBe(routeRules.length);
  });
});

describe('the access matrix', () => {
  it('has a sample request for every rule, and no sample without a rule', () => {
    expect(Object.keys(routeSamples).sort()).toEqual(keys(routeRules));
  });

  it('has a sample for every socket event, which the socket rules and the contract name alike', () => {
    expect(sameSocketEvents).toBe(true);
    const declared = declaredClientEvents().sort();
    expect(declared.length).toBeGreaterThan(0);
    expect(Object.keys(socketRules.events).sort()).toEqual(declared);
    expect(Object.keys(socketSamples).sort()).toEqual(declared);
  });
});

describe('docs/access-inventory.md', () => {
  it('is what the code renders to', () => {
    const rendered = renderInventory({ rules: routeRules, socketRules, clientEvents: declaredClientEvents() });
    if (process.env.UPDATE_ACCESS_INVENTORY === '1') fs.writeFileSync(INVENTORY_FILE, rendered);
    const onDisk = fs.existsSync(INVENTORY_FILE) ? fs.readFileSync(INVENTORY_FILE, 'utf8') : '';
    expect(onDisk, `docs/access-inventory.md is out of date: run ${UPDATE_COMMAND}`).toBe(rendered);
  });
});
