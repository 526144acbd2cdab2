/**
 * The access suites' own principals on one server: a user per role (the department user in MATRIX_DEPT), a kiosk
 * whose code is kept, and the test integration key, all made through the admin API like a real administrator would.
 * `headers` reuses one session per audience; `fresh` signs in again (a new session), for requests that end it.
 */
import { randomUUID } from 'node:crypto';
import { ADMIN, asAdmin, cookieFor, cookieFrom, integrationKey, login, originOf, TEST_ADMIN_PASSWORD } from '../../helpers/auth.js';
import { MATRIX_DEPT, type MatrixAudience, type SessionAudience } from './samples.js';

export const ACCESS_PASSWORD = 'access-suite-password';

type Server = { url: string };

/** Makes a user through the admin API and returns its view (id, version, …). */
export async function createUser(server: Server, fields: { username: string; role: 'duty' | 'dept' | 'leader' | 'admin'; deptId?: string; password?: string }) {
  const made = await asAdmin(server, 'POST', '/api/admin/users', { name: `测试${fields.role}`, password: ACCESS_PASSWORD, ...fields });
  if (made.status !== 201) throw new Error(`user ${fields.username}: ${made.status} ${JSON.stringify(made.body)}`);
  return made.body as { id: string; version: number; username: string };
}

/** Makes a kiosk through the admin API and returns its id and the code a wall signs in with. */
export async function createKiosk(server: Server): Promise<{ id: string; code: string }> {
  const made = await asAdmin(server, 'POST', '/api/admin/kiosks', { name: `测试大屏 ${randomUUID().slice(0, 6)}` });
  if (made.status !== 201) throw new Error(`kiosk: ${made.status} ${JSON.stringify(made.body)}`);
  return { id: made.body.item.id as string, code: made.body.secret as string };
}

export async function kioskLogin(server: Server, code: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/kiosk`, { method: 'POST', headers: { 'content-type': 'application/json', ...originOf(server) }, body: JSON.stringify({ code }) });
  if (res.status !== 200) throw new Error(`kiosk sign-in answered ${res.status}: ${await res.text()}`);
  return cookieFrom(res);
}

export class Principals {
  readonly #server: Server;
  #made: Promise<{ kioskCode: string }> | undefined;
  readonly #sessions = new Map<MatrixAudience, Promise<Record<string, string>>>();
  /** Several suites may share a server's helpers; their users' names never meet. */
  readonly #suffix = randomUUID().slice(0, 6);

  constructor(server: Server) {
    this.#server = server;
  }

  #ready(): Promise<{ kioskCode: string }> {
    this.#made ??= (async () => {
      const server = this.#server;
      await Promise.all([
        createUser(server, { username: `acc-duty-${this.#suffix}`, role: 'duty' }),
        createUser(server, { username: `acc-dept-${this.#suffix}`, role: 'dept', deptId: MATRIX_DEPT }),
        createUser(server, { username: `acc-leader-${this.#suffix}`, role: 'leader' }),
      ]);
      return { kioskCode: (await createKiosk(server)).code };
    })();
    return this.#made;
  }

  /** The username of the matrix's user of this role. */
  async username(role: 'duty' | 'dept' | 'leader'): Promise<string> {
    await this.#ready();
    return `acc-${role}-${this.#suffix}`;
  }

  /** A new session (or, for the key, the key) for the audience; anonymous sends nothing. */
  async fresh(audience: MatrixAudience): Promise<Record<string, string>> {
    const server = this.#server;
    switch (audience) {
      case 'anonymous':
        return {};
      case 'integration':
        return { authorization: `Bearer ${await integrationKey(server)}` };
      case 'admin':
        return { cookie: await login(server.url, 'admin', TEST_ADMIN_PASSWORD) };
      case 'wall':
        return { cookie: await kioskLogin(server, (await this.#ready()).kioskCode) };
      default:
        return { cookie: await login(server.url, await this.username(audience), ACCESS_PASSWORD) };
    }
  }

  /** One session per audience, reused. */
  headers(audience: MatrixAudience): Promise<Record<string, string>> {
    let headers = this.#sessions.get(audience);
    if (!headers) {
      // The admin session is the helpers' own, so admin requests made through asAdmin and here are one session.
      headers = audience === 'admin' ? cookieFor(this.#server, ADMIN).then((cookie) => ({ cookie })) : this.fresh(audience);
      this.#sessions.set(audience, headers);
    }
    return headers;
  }

  async cookie(audience: SessionAudience): Promise<string> {
    return (await this.headers(audience)).cookie!;
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  body: any;
}

/** One request, from the server's own page (its Origin, as a browser sends); a body is sent as JSON unless a content type says otherwise. */
export async function send(server: Server, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; raw?: string } = {}): Promise<Answer> {
  const hasBody = options.body !== undefined || options.raw !== undefined;
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...originOf(server), ...(hasBody && { 'content-type': 'application/json' }), ...options.headers },
    ...(hasBody && { body: options.raw ?? JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** The payload of a session cookie (`sygl_session=<base64url JSON>.<mac>`), read without checking it. */
export function sessionPayload(cookie: string): { sid: string; pid: string; ep: number; iat: number; seen: number; kind: string } {
  const token = cookie.replace(/^sygl_session=/, '');
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
}
