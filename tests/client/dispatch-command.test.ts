import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandInput, CommandResult } from '../../shared/dispatch.js';
import { CommandRunner } from '../../client/lib/console-command.svelte.js';
import { Resource } from '../../client/lib/console-resource.svelte.js';
import { commandFailure, createDispatchApi, newCommandId, type CommandOutcome } from '../../client/lib/dispatch-api.js';
import type { Loaded } from '../../client/lib/api.js';
import { onSessionSignal } from '../../client/lib/session-signal.js';
import { summary } from './dispatch-fixtures.js';

const result: CommandResult = { caseId: 'c1', version: 4, status: 'triaged', event: { seq: 9, id: 'e9', type: 'case.triaged' }, duplicate: false };
const triage = { type: 'triage', expectedVersion: 3, tier: 'street', channel: 'people' } as const;

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CommandRunner', () => {
  it('never sends twice at once, and is busy while in flight', async () => {
    const answer = deferred<CommandOutcome>();
    const sent: CommandInput[] = [];
    const runner = new CommandRunner((c) => (sent.push(c), answer.promise));
    const first = runner.run(triage);
    expect(runner.busy).toBe(true);
    expect(await runner.run(triage)).toBeNull();
    answer.resolve({ ok: true, result });
    expect(await first).toEqual(result);
    expect(runner.busy).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('retries a lost command with the same commandId, then starts a new one after success', async () => {
    const outcomes: CommandOutcome[] = [{ ok: false, error: { kind: 'network' } }, { ok: false, error: { kind: 'http', status: 503 } }, { ok: true, result }, { ok: true, result }];
    const ids: string[] = [];
    let n = 0;
    const runner = new CommandRunner(async (c) => (ids.push(c.commandId), outcomes.shift()!), () => `command-${++n}`);
    expect(await runner.run(triage)).toBeNull();
    expect(runner.error).toEqual({ kind: 'network' });
    await runner.run(triage);
    await runner.run(triage);
    expect(runner.error).toBeNull();
    await runner.run(triage);
    expect(ids).toEqual(['command-1', 'command-1', 'command-1', 'command-2']);
  });

  it('takes a new commandId after a refusal (nothing was stored) and shows field errors by path', async () => {
    const ids: string[] = [];
    let n = 0;
    const refusal: CommandOutcome = { ok: false, error: { kind: 'invalid', message: '2 invalid fields', details: [{ path: 'assists[1]', message: 'must be a department id' }, { path: 'extra', message: 'unknown' }] } };
    const runner = new CommandRunner(async (c) => (ids.push(c.commandId), refusal), () => `command-${++n}`);
    await runner.run(triage);
    await runner.run(triage);
    expect(ids).toEqual(['command-1', 'command-2']);
    expect(runner.fieldError('assists')).toBe('must be a department id');
    expect(runner.fieldError('lead')).toBeUndefined();
    expect(runner.otherFieldErrors(['assists'])).toEqual(['extra: unknown']);
  });

  it('turns a throwing sender into a network error', async () => {
    const runner = new CommandRunner(() => Promise.reject(new Error('boom')));
    expect(await runner.run(triage)).toBeNull();
    expect(runner.error).toEqual({ kind: 'network' });
    expect(runner.busy).toBe(false);
  });
});

describe('dispatch api', () => {
  it('names no actor: the session cookie says who acts, so no request carries a role or department header', async () => {
    const calls: RequestInit[] = [];
    const fetch = (async (_url: string, init: RequestInit) => (calls.push(init), new Response(JSON.stringify(result), { status: 201 }))) as typeof globalThis.fetch;
    const api = createDispatchApi({ fetch });
    await api.command('c1', { type: 'reportIn', commandId: 'abcdefgh', expectedVersion: 3 });
    await api.queue({});
    for (const init of calls) expect(Object.keys(init.headers as Record<string, string>).filter((h) => h.startsWith('x-actor'))).toEqual([]);
  });

  it('tells the session store when the server answers 401, and still returns the failure', async () => {
    const unauthenticated = () => new Response(JSON.stringify({ error: { code: 'unauthenticated', message: 'sign in first' } }), { status: 401 });
    let ended = 0;
    const api = createDispatchApi({ fetch: (async () => unauthenticated()) as typeof globalThis.fetch });
    const off = onSessionSignal((signal) => signal === 'ended' && ended++);
    try {
      expect(await api.queue({})).toEqual({ ok: false, error: { kind: 'http', status: 401, code: 'unauthenticated', message: 'sign in first' } });
      expect(await api.command('c1', { type: 'archive', commandId: 'abcdefgh', expectedVersion: 3 })).toEqual({ ok: false, error: { kind: 'http', status: 401, code: 'unauthenticated', message: 'sign in first' } });
      expect(ended).toBe(2);
    } finally {
      off();
    }
  });

  it('asks for the full case with a reason, as a POST to unmask', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fetch = (async (url: string, init: RequestInit) => (calls.push({ url, init }), new Response(JSON.stringify({ masked: false }), { status: 200 }))) as typeof globalThis.fetch;
    const outcome = await createDispatchApi({ fetch }).unmask('c/1', '回访核对电话');
    expect(outcome).toEqual({ ok: true, result: { masked: false } });
    expect(calls[0]!.url).toBe('/api/cases/c%2F1/unmask');
    expect(calls[0]!.init.method).toBe('POST');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ reason: '回访核对电话' });
  });

  it('classifies failures: conflict with the current case, field errors, other statuses', () => {
    const current = summary('whistled');
    expect(commandFailure(409, { error: { code: 'version_conflict', message: 'changed', current } })).toEqual({ kind: 'conflict', code: 'version_conflict', message: 'changed', current });
    expect(commandFailure(400, { error: { code: 'invalid_request', message: '1', details: [{ path: 'lead', message: 'bad' }, { nope: 1 }] } })).toEqual({
      kind: 'invalid',
      code: 'invalid_request',
      message: '1',
      details: [{ path: 'lead', message: 'bad' }],
    });
    expect(commandFailure(403, { error: { code: 'forbidden', message: 'no' } })).toEqual({ kind: 'http', status: 403, code: 'forbidden', message: 'no' });
    expect(commandFailure(502, null)).toEqual({ kind: 'http', status: 502 });
  });

  it('sends commands as JSON, reports the server date, and never throws', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const dates: number[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(result), { status: 201, headers: { date: 'Mon, 23 Nov 2026 02:00:00 GMT' } });
    }) as typeof globalThis.fetch;
    const api = createDispatchApi({ fetch, onServerDate: (ms) => dates.push(ms) });
    const outcome = await api.command('c/1', { type: 'reportIn', commandId: 'abcdefgh', expectedVersion: 3 });
    expect(outcome).toEqual({ ok: true, result });
    expect(calls[0]!.url).toBe('/api/cases/c%2F1/commands');
    expect(calls[0]!.init.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ type: 'reportIn', commandId: 'abcdefgh', expectedVersion: 3 });
    expect(dates).toEqual([Date.parse('2026-11-23T02:00:00Z')]);

    const offline = createDispatchApi({ fetch: (() => Promise.reject(new TypeError('failed'))) as typeof globalThis.fetch });
    expect(await offline.command('c1', { type: 'archive', commandId: 'abcdefgh', expectedVersion: 3 })).toEqual({ ok: false, error: { kind: 'network' } });
    expect(await offline.queue({ status: 'received', streetCode: '' })).toEqual({ ok: false, error: { kind: 'network' } });
  });

  it('builds the queue query from the filter, leaving out empty ones', async () => {
    const urls: string[] = [];
    const fetch = (async (url: string) => (urls.push(url), new Response('{"items":[]}'))) as typeof globalThis.fetch;
    const api = createDispatchApi({ fetch });
    await api.queue({ status: 'returned', streetCode: '', category: 'labour' });
    await api.queue({});
    expect(urls).toEqual(['/api/queue?status=returned&category=labour', '/api/queue']);
  });

  it('makes command ids the server accepts, without needing a secure context', () => {
    const id = newCommandId();
    expect(id).toMatch(/^[\w-]{8,64}$/);
    expect(newCommandId()).not.toBe(id);
  });
});

describe('Resource', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refetches at most twice a second under a burst, ending on the newest data', async () => {
    let calls = 0;
    const resource = new Resource<number>(async () => ({ ok: true, data: ++calls }), {
      timers: { now: () => Date.now(), set: (run, ms) => setTimeout(run, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
    });
    for (let i = 0; i < 20; i++) {
      resource.refresh();
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(600);
    expect(calls).toBeLessThanOrEqual(3);
    expect(resource.data).toBe(calls);
  });

  it('keeps the last data when a refetch fails, and lets a newer answer win over a slower older one', async () => {
    const answers: Array<ReturnType<typeof deferred<Loaded<string>>>> = [];
    const resource = new Resource<string>(() => {
      const d = deferred<Loaded<string>>();
      answers.push(d);
      return d.promise;
    });
    const first = resource.reload();
    answers[0]!.resolve({ ok: true, data: 'one' });
    await first;
    const slow = resource.reload();
    const fast = resource.reload();
    answers[2]!.resolve({ ok: true, data: 'three' });
    await fast;
    answers[1]!.resolve({ ok: true, data: 'two' });
    await slow;
    expect(resource.data).toBe('three');
    const failing = resource.reload();
    answers[3]!.resolve({ ok: false, error: { kind: 'network' } });
    await failing;
    expect(resource.value).toEqual({ status: 'ready', data: 'three' });
    expect(resource.stale).toEqual({ status: 'error', error: { kind: 'network' } });
  });
});
