/**
 * Property-based fuzzing of one real server with hostile input: every route of the access table, asked anonymously
 * and as a role it allows, with random and hostile path params, query strings, bodies (random JSON, wrong types,
 * huge strings, deep nesting, prototype-pollution keys, NUL and odd unicode, malformed JSON) and content types, and
 * the path spelled oddly; then hostile `sync` payloads, unknown events and handshakes on the socket. The server never
 * answers 5xx, never crashes (it still answers /healthz, nothing leaks into Object.prototype), an error always has
 * `error.code` and never a stack trace or an internal message, and nobody anonymous gets past the guard.
 */
import path from 'node:path';
import fc from 'fast-check';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/boot.js';
import { routeRules, type RouteRule } from '../../../server/auth/access.js';
import { startServer, type TestSocket } from '../../helpers/server.js';
import { Principals, send } from './principals.js';
import { admitted, closeSockets, openSocket } from './sockets.js';
import { routeSamples, ruleKey, type MatrixAudience } from './samples.js';

/**
 * Runs per property, and a time limit after which a property stops early (still passing on what it ran), so this
 * file stays under a minute on two shared cores however loaded they are.
 */
const HTTP_RUNS = 2000;
const SOCKET_RUNS = 400;
const HANDSHAKE_RUNS = 40;
const HTTP_SECONDS = 35;
const SOCKET_SECONDS = 10;

let server: RunningServer;
let principals: Principals;
beforeAll(async () => {
  server = await startServer();
  principals = new Principals(server);
  await Promise.all((['anonymous', 'integration', 'wall', 'duty', 'dept', 'leader', 'admin'] as const).map((a) => principals.headers(a)));
});
afterAll(async () => {
  closeSockets();
  await server.close();
});

const root = path.resolve('.');
/** What only the server's insides could have written: a stack frame, a source path, a runtime's own message. */
const internal = [/\bat \S+ \(\S+:\d+:\d+\)/, /node_modules/, new RegExp(root.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&')), /Cannot read propert|is not a function|is not defined|undefined \(reading|Unexpected token|SQLITE_/];

/** Hostile text: odd unicode, NUL, traversal, encodings, injections, pollution keys, and very long. */
const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('..', '../..', '../../etc/passwd', '%00', '\u0000', 'a\u0000b', '%', '%zz', '%E0%A4%A', '%2e%2e%2f', '%2F', '\uD800', '\uFEFF', '\u202E', '<script>alert(1)</script>', "' OR 1=1 --", '${7*7}', '{{7*7}}', '__proto__', 'constructor', 'prototype', 'toString', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10', ' '),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
);

/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) as the bytes of one, which are not UTF-8. */
const encode = (text: string) => Array.from(text, (c) => (/^[\uD800-\uDFFF]$/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');

/** A path param as it goes into the URL: encoded text, or raw hostile sequences (malformed escapes included). */
const pathParam = fc.oneof(
  hostileText.map(encode),
  fc.constantFrom('..', '.', '%00', '%', '%zz', '%E0%A4%A', '%2e%2e', '..%2f..%2f', '%252e', 'x'.repeat(10_000), '%F0%9F%98%80', '%C0%AE', '440307013', '0190a0c0-0000-7000-8000-000000000000'),
);

const queryString = fc.oneof(
  fc.constant(''),
  fc.dictionary(hostileText, fc.oneof(hostileText, fc.array(hostileText, { maxLength: 3 })), { maxKeys: 4 }).map((params) => {
    const parts = Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encode(k)}=${encode(x)}`));
    return parts.length ? `?${parts.join('&')}` : '';
  }),
  fc.constantFrom('?%', '?a=%zz', '?limit=-1', '?limit=1e9', '?limit=1&limit=2', '?__proto__[x]=1', '?constructor[prototype][x]=1', '?cursor=99999999999999999999', '?from=2026-13-45T99:99:99Z', '?days=NaN', `?x=${'y'.repeat(8000)}`),
);

const deep = (depth: number, open: string, close: string, leaf = '1') => open.repeat(depth) + leaf + close.repeat(depth);

/** A body as raw text: random JSON of every type, hostile objects, broken JSON, very large or very deep. */
const bodyText = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.dictionary(hostileText, fc.jsonValue(), { maxKeys: 6 }).map((v) => JSON.stringify(v)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"type":"triage","__proto__":{"isAdmin":true},"expectedVersion":1}',
      '{"username":{"$ne":null},"password":{"$gt":""}}',
      '{"username":"admin","password":"x","role":"admin"}',
      '{"events":[{"__proto__":{"polluted":"yes"}}]}',
      '{"events":{"length":1e9}}',
      '{"reason":"\\u0000\\ud800 x"}',
      '{"lastSeq":1e309}',
      '',
      '{',
      '{"a":',
      'null',
      '[]',
      '"string"',
      '1',
      'true',
      '\u0000',
      '{"a":1}{"b":2}',
      '{"a":NaN}',
      "{'a':1}",
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(deep(5000, '[', ']'), deep(3000, '{"a":', '}'), deep(100, '{"events":[', ']}', '{}')) },
  { weight: 1, arbitrary: fc.constantFrom(`{"name":"${'名'.repeat(70_000)}"}`, `"${'x'.repeat(2.2 * 1024 * 1024)}"`, `[${Array(20_000).fill('{}').join(',')}]`) },
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=nonsense',
  'application/merge-patch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/*',
  '',
  undefined,
);

/** The rule's path with each param replaced, sometimes spelled oddly (case, trailing slash, doubled slashes). */
const pathOf = (rule: RouteRule) =>
  fc
    .tuple(
      fc.array(pathParam, { minLength: 3, maxLength: 3 }),
      fc.constantFrom('as is', 'as is', 'as is', 'upper case', 'trailing slash', 'double slash', 'mixed case'),
    )
    .map(([params, spelling]) => {
      let i = 0;
      const plain = rule.path.replace(/:[a-zA-Z]+/g, () => params[i++]!);
      if (spelling === 'upper case') return plain.toUpperCase();
      if (spelling === 'trailing slash') return `${plain}/`;
      if (spelling === 'double slash') return plain.replace('/api/', '/api//');
      if (spelling === 'mixed case') return plain.replace(/a/g, 'A');
      return plain;
    });

/** A caller the rule allows (anonymous for public routes), or nobody. */
function callers(rule: RouteRule): MatrixAudience[] {
  if (rule.allow.includes('public')) return ['anonymous'];
  return ['anonymous', rule.allow[0] as MatrixAudience];
}

const request = fc
  .constantFrom(...routeRules)
  .chain((rule) =>
    fc.record({
      rule: fc.constant(rule),
      audience: fc.constantFrom(...callers(rule)),
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(rule.method) }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'PATCH', 'POST', 'GET') }),
      path: fc.oneof({ weight: 1, arbitrary: fc.constant(routeSamples[ruleKey(rule)]!.path.split('?')[0]!) }, { weight: 3, arbitrary: pathOf(rule) }),
      query: queryString,
      body: fc.option(bodyText, { nil: undefined }),
      contentType,
    }),
  );

type Fuzzed = typeof request extends fc.Arbitrary<infer R> ? R : never;

async function fire(r: Fuzzed) {
  const headers: Record<string, string> = { ...(await principals.headers(r.audience)) };
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  const hasBody = r.body !== undefined && r.method !== 'GET';
  // fetch refuses some header values and URLs outright; those never reach a server, so they prove nothing.
  try {
    const res = await fetch(`${server.url}${r.path}${r.query}`, { method: r.method, headers, ...(hasBody && { body: r.body }) });
    return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  } catch (error) {
    if (error instanceof TypeError && !/fetch failed|ECONNRESET|other side closed/i.test(String(error.cause ?? error.message))) return undefined;
    throw error;
  }
}

function problems(r: Fuzzed, answer: { status: number; text: string; contentType: string }): string[] {
  const found: string[] = [];
  if (answer.status >= 500) found.push(`status ${answer.status}`);
  for (const pattern of internal) if (pattern.test(answer.text)) found.push(`internal detail ${pattern}`);
  // Node's own HTTP parser refuses headers past its limit (431) before any application code runs; the server's
  // clientError handler gives that refusal the API's error shape.
  const nodeRefusal = answer.status === 431 && /"code":"headers_too_large"/.test(answer.text);
  if (answer.status >= 400 && !nodeRefusal) {
    let code: unknown;
    try {
      code = (JSON.parse(answer.text) as { error?: { code?: unknown } }).error?.code;
    } catch {
      code = undefined;
    }
    if (typeof code !== 'string') found.push(`an error without error.code: ${answer.text.slice(0, 80)}`);
  }
  // Nobody anonymous gets past the guard of a route that is not public, however the request is spelled.
  if (r.audience === 'anonymous' && !r.rule.allow.includes('public') && ![401, 404].includes(answer.status) && !nodeRefusal) found.push(`anonymous got ${answer.status}`);
  return found;
}

describe('HTTP routes under hostile input', () => {
  it('never answer 5xx, never leak internals, always say error.code, never let anonymous through', { timeout: (HTTP_SECONDS + 25) * 1000 }, async () => {
    const started = performance.now();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        sent++;
        const answer = await fire(r);
        if (!answer) return;
        const found = problems(r, answer);
        if (found.length) throw new Error(`${r.method} ${r.path.slice(0, 120)}${r.query.slice(0, 80)} as ${r.audience}: ${found.join('; ')}\n${answer.text.slice(0, 300)}`);
      }),
      { numRuns: HTTP_RUNS, endOnFailure: true, interruptAfterTimeLimit: HTTP_SECONDS * 1000 },
    );
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    console.info(`[fuzz] ${sent} hostile requests in ${Math.round(performance.now() - started)} ms`);
    expect(sent).toBeGreaterThan(100);
  });

  it('still answers every route as before, and signs in', async () => {
    for (const rule of routeRules.filter((r) => r.method === 'GET')) {
      const answer = await send(server, 'GET', routeSamples[ruleKey(rule)]!.path, { headers: await principals.headers(callers(rule).at(-1)!) });
      expect({ route: ruleKey(rule), status: answer.status < 500 }).toEqual({ route: ruleKey(rule), status: true });
    }
    expect((await principals.fresh('duty')).cookie).toMatch(/^sygl_session=/);
  });
});

/** Event names a client may send (Socket.io reserves a few, and the client throws on those). */
const reserved = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
const socketArg = fc.oneof(fc.jsonValue(), fc.uint8Array({ maxLength: 64 }), fc.constantFrom(undefined, null, { lastSeq: -1 }, { lastSeq: 1e308 }, { lastSeq: '1' }, { lastSeq: 1, extra: 1 }, { __proto__: { polluted: 'yes' } }, { lastSeq: Number.MAX_SAFE_INTEGER + 2 }, deep(500, '[', ']')));

describe('the socket under hostile input', () => {
  it('answers hostile sync payloads with an error (or nothing) and ignores unknown events, without a crash', { timeout: (SOCKET_SECONDS + 20) * 1000 }, async () => {
    const sockets: Record<'wall' | 'leader' | 'duty', { socket: TestSocket; syncs: number }> = {} as never;
    const fresh = async (who: 'wall' | 'leader' | 'duty') => {
      sockets[who]?.socket.close();
      const socket = openSocket(server.url, await principals.headers(who));
      await admitted(socket);
      sockets[who] = { socket, syncs: 0 };
      return sockets[who];
    };
    await Promise.all([fresh('wall'), fresh('leader'), fresh('duty')]);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('wall', 'leader', 'duty' as const),
        fc.oneof(fc.constant('sync'), fc.string({ minLength: 1, maxLength: 30 }).filter((name) => !reserved.has(name))),
        fc.array(socketArg, { maxLength: 3 }),
        fc.boolean(),
        async (who, event, args, withAck) => {
          // Stay under the sync rate limit (30 a minute per socket): a fresh socket now and then.
          let entry = sockets[who];
          if (event === 'sync' && entry.syncs >= 25) entry = await fresh(who);
          if (event === 'sync') entry.syncs++;
          const { socket } = entry;
          // The contract is sync(request, ack): with exactly one argument and an ack, an answer is owed; with more or
          // fewer, the ack is not where the contract puts it, and no answer is an answer too.
          if (event === 'sync' && withAck && args.length === 1) {
            const answer = (await socket.timeout(5000).emitWithAck('sync', ...(args as [{ lastSeq: number }]))) as { ok: boolean; error?: { code: unknown; message: unknown } };
            if (typeof answer?.ok !== 'boolean') throw new Error(`sync answered ${JSON.stringify(answer)}`);
            if (!answer.ok && (typeof answer.error?.code !== 'string' || internal.some((p) => p.test(String(answer.error?.message))))) throw new Error(`sync error ${JSON.stringify(answer)}`);
          } else {
            (socket.emit as (event: string, ...args: unknown[]) => void)(event, ...args, ...(withAck ? [() => undefined] : []));
          }
          if (!socket.connected) throw new Error(`the ${who} socket was disconnected after ${event}(${JSON.stringify(args).slice(0, 200)})`);
        },
      ),
      { numRuns: SOCKET_RUNS, endOnFailure: true, interruptAfterTimeLimit: SOCKET_SECONDS * 1000 },
    );
    // Every socket is still served: a round trip after all that.
    for (const who of ['wall', 'leader'] as const) {
      const { socket } = await fresh(who);
      expect(await socket.timeout(5000).emitWithAck('sync', { lastSeq: 0 })).toMatchObject({ ok: true });
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('admits a wall naming a seq in the handshake, and refuses anything else there with invalid_payload', async () => {
    const headers = await principals.headers('wall');
    await fc.assert(
      // The client sends only an object there (it drops anything else), so objects are what can arrive.
      fc.asyncProperty(fc.oneof(fc.dictionary(hostileText, fc.jsonValue(), { maxKeys: 3 }), fc.record({ lastSeq: fc.oneof(fc.jsonValue(), fc.integer(), fc.double()) }), fc.record({ lastSeq: fc.nat() })), async (auth) => {
        const socket: TestSocket = connect(server.url, { transports: ['websocket'], extraHeaders: headers, reconnection: false, forceNew: true, auth });
        try {
          const { lastSeq, ...rest } = auth as { lastSeq?: unknown };
          const valid = Object.keys(rest).length === 0 && (!('lastSeq' in auth) || (Number.isSafeInteger(lastSeq) && (lastSeq as number) >= 0));
          const outcome = await admitted(socket).then(
            () => 'admitted',
            (error: { data?: { code?: string } }) => `refused ${error.data?.code}`,
          );
          if (outcome !== (valid ? 'admitted' : 'refused invalid_payload')) throw new Error(`handshake ${JSON.stringify(auth)}: ${outcome}`);
        } finally {
          socket.close();
        }
      }),
      { numRuns: HANDSHAKE_RUNS },
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
