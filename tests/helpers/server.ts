/** Starts the real server on port 0 and connects real socket.io clients to it. */
import { io as connect, type Socket } from 'socket.io-client';
import type { PublicEvent } from '../../shared/events.js';
import type { CaseNotice, ClientToServerEvents, ServerToClientEvents, WallSnapshot } from '../../shared/socket.js';
import { bootServer, type BootOptions, type RunningServer } from '../../server/boot.js';
import type { ConfigInput } from '../../server/config.js';
import { authHeaders, cookieFor, forgetServer, keepRenewed, integrationKey, TEST_ADMIN_PASSWORD, WALL, type Who } from './auth.js';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function startServer(overrides: ConfigInput = {}, options: BootOptions = {}): Promise<RunningServer> {
  const server = await bootServer({ STREAM_BATCH_MS: 5, ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, ...overrides }, options);
  // Port 0 may hand out the port of a server closed earlier: its sessions and key mean nothing here.
  forgetServer(server.url);
  return server;
}

/** A request as `who` (default: a wall kiosk, which may read what the wall reads), signed in like a real client. */
export async function fetchAs(server: { url: string }, path: string, who: Who = WALL, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { ...(await authHeaders(server, who)), ...(init.headers as Record<string, string> | undefined) } });
  keepRenewed(server, who, res);
  return res;
}

/** The case notices a console socket signed in as `who` hears; `ready` resolves once it is connected. */
export function listenAs(server: { url: string }, who: Who) {
  const notices: CaseNotice[] = [];
  const socket: TestSocket = connect(server.url, { transports: ['websocket'], autoConnect: false });
  socket.on('case:changed', (batch) => notices.push(...batch));
  const ready = cookieFor(server, who).then(async (cookie) => {
    socket.io.opts.extraHeaders = { cookie };
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.connect();
    await connected;
  });
  return { socket, notices, ready };
}

/** Posts to intake as an integration with a key for every type and source (tests/helpers/auth.ts). */
export async function post(server: { url: string }, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const authorization = `Bearer ${await integrationKey(server)}`;
  const res = await fetch(`${server.url}/api/events`, { method: 'POST', headers: { authorization, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

/** A wall client that applies the seq protocol the way the real client does: it records what it received. */
export class RecordingClient {
  readonly socket: TestSocket;
  readonly events: PublicEvent[] = [];
  snapshots: WallSnapshot[] = [];
  lastSeq = 0;
  #waiters: Array<() => void> = [];

  /** Signs in as `as` (default: a wall kiosk) on this server first; the socket connects with that session cookie. */
  constructor(url: string, options: { lastSeq?: number; as?: Who } = {}) {
    this.lastSeq = options.lastSeq ?? 0;
    const hasSeq = options.lastSeq !== undefined;
    this.socket = connect(url, {
      transports: ['websocket'],
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      autoConnect: false,
      auth: (cb) => cb(hasSeq || this.snapshots.length || this.events.length ? { lastSeq: this.lastSeq } : {}),
    });
    void cookieFor({ url }, options.as ?? WALL).then((cookie) => {
      this.socket.io.opts.extraHeaders = { cookie };
      this.socket.connect();
    });
    this.socket.on('snapshot', (s) => {
      this.snapshots.push(s);
      this.lastSeq = s.state.seq;
      this.#notify();
    });
    this.socket.on('events', (batch) => {
      for (const e of batch) {
        if (e.seq <= this.lastSeq) continue;
        this.events.push(e);
        this.lastSeq = e.seq;
      }
      this.#notify();
    });
  }

  #notify() {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once the client has applied everything up to `seq`. */
  async until(seq: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastSeq < seq) {
      if (Date.now() > deadline) throw new Error(`client stuck at seq ${this.lastSeq}, waiting for ${seq}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async connected(): Promise<void> {
    if (this.socket.connected) return;
    await new Promise<void>((resolve) => this.socket.once('connect', () => resolve()));
  }

  close() {
    this.socket.close();
  }
}
