/**
 * Socket handlers. A socket is admitted only with a session that stands (the same cookie as HTTP, checked in the
 * handshake) and a role that may connect (auth/access.ts); the server, never the client, chooses its rooms from
 * that session. On every connection the wall and the leader view get the server's own catch-up — a snapshot, or the
 * replay of what they missed since the seq named in the handshake — sent to that socket alone, and join the live room
 * in the same tick, after the publisher has sent what it held: nothing missed, nothing twice (issue 17). Socket.io's
 * connection-state recovery is off (app.ts): it restored sessions without the live room and routed every direct emit
 * through the cluster adapter, behind Redis.
 */
import type { Socket } from 'socket.io';
import { z } from 'zod';
import { rooms } from '../../shared/rooms.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/socket.js';
import { socketRules } from '../auth/access.js';
import type { Authenticator, SessionPrincipal } from '../auth/authenticator.js';
import { readCookie, SESSION_COOKIE } from '../auth/session-token.js';
import type { Logger } from '../log.js';
import type { CatchUp } from './catch-up.js';
import { clientStalled, streamCounters } from './stream-health.js';
import type { InterServerEvents, IoServer, SocketData } from './io.js';

export type { InterServerEvents, IoServer } from './io.js';

type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/**
 * The seq the client has applied, and the two keys Socket.io's client adds when it tries to recover a session (a page
 * loaded while recovery was on may still send them; they are ignored).
 */
const handshakeSchema = z.strictObject({ lastSeq: z.number().int().min(0).optional(), pid: z.string().max(64).optional(), offset: z.string().max(64).optional() });
const syncRequest = z.strictObject({ lastSeq: z.number().int().min(0), stalled: z.boolean().optional() });

/** Per socket: at most this many `sync` requests a minute; a socket far past it is disconnected. */
const SYNCS_PER_MINUTE = 30;
const DISCONNECT_AFTER = 3 * SYNCS_PER_MINUTE;

export interface StreamDeps {
  catchUp: CatchUp;
  /** Sends at once what the publisher holds (to the sockets already in the live room). */
  flushLive: () => void;
}

/**
 * The catch-up and the join, as one step: in the tick the read is complete up to the projections' seq, the publisher
 * sends what it held to the room (this socket not in it yet: those events are in its catch-up), the catch-up goes to
 * this socket alone (a direct emit, never through the cluster adapter), and the socket joins the room, so every later
 * batch reaches it. A connection that ended meanwhile gets nothing; its client reconnects and gets a new catch-up.
 */
async function catchUpAndJoin(socket: IoSocket, stream: StreamDeps, lastSeq: number | undefined): Promise<void> {
  await stream.catchUp.since(lastSeq, (result) => {
    if (!socket.connected) {
      streamCounters.catchUpsAbandoned++;
      return;
    }
    stream.flushLive();
    if (result.mode === 'snapshot') {
      streamCounters.snapshots++;
      socket.emit('snapshot', result.snapshot);
    } else {
      streamCounters.replays++;
      if (result.events.length) socket.emit('events', result.events);
    }
    void socket.join(rooms.wall);
  });
}

/** Rooms for a session: chosen by the server from who the session is, never from what the client asks. */
function roomsOf(principal: SessionPrincipal): string[] {
  const own = [rooms.principal(principal.id), rooms.session(principal.sessionId)];
  if (principal.role === 'duty' || principal.role === 'leader') own.push(rooms.role(principal.role));
  if (principal.role === 'dept' && principal.kind === 'user' && principal.deptId) own.push(rooms.department(principal.deptId));
  return own;
}

/** A socket error the client can act on: `data.code` says whether to sign in. */
function refusal(code: 'unauthenticated' | 'forbidden' | 'invalid_payload', message: string): Error & { data: { code: string } } {
  return Object.assign(new Error(message), { data: { code } });
}

type Admission = { ok: true; principal: SessionPrincipal } | { ok: false; refusal: ReturnType<typeof refusal> };

/** Whether what a socket presents now (its session cookie, its handshake) admits it, and as whom. */
function admission(socket: IoSocket, authenticator: Authenticator): Admission {
  const check = authenticator.check(readCookie(socket.request.headers.cookie, SESSION_COOKIE));
  if (!check.ok) return { ok: false, refusal: refusal('unauthenticated', 'sign in first') };
  const role = check.principal.role;
  if (!(socketRules.connect as readonly string[]).includes(role)) return { ok: false, refusal: refusal('forbidden', `the ${role} role has no live feed`) };
  if (!handshakeSchema.safeParse(socket.handshake.auth ?? {}).success) return { ok: false, refusal: refusal('invalid_payload', 'the handshake may carry only { lastSeq: integer ≥ 0 }') };
  return { ok: true, principal: check.principal };
}

export function attachConnectionHandlers(io: IoServer, deps: StreamDeps & { log: Logger; authenticator: Authenticator }): void {
  io.use((socket, next) => {
    const admitted = admission(socket, deps.authenticator);
    if (!admitted.ok) return next(admitted.refusal);
    socket.data.principal = admitted.principal;
    next();
  });

  io.on('connection', (socket) => {
    const principal = socket.data.principal;
    for (const room of roomsOf(principal)) void socket.join(room);
    const may = (event: keyof typeof socketRules.events) => (socketRules.events[event] as readonly string[]).includes(principal.role);

    // A minute's budget of syncs, counted from the first sync of the minute: no timer per socket (1,000 walls would
    // wake the server 1,000 times a minute for nothing).
    let syncs = 0;
    let windowStart = 0;

    socket.on('sync', (request, ack) => {
      if (typeof ack !== 'function') return;
      if (!may('sync')) {
        ack({ ok: false, error: { code: 'forbidden', message: `the ${principal.role} role may not sync the wall stream` } });
        return;
      }
      const now = Date.now();
      if (now - windowStart >= 60_000) {
        windowStart = now;
        syncs = 0;
      }
      if (++syncs > SYNCS_PER_MINUTE) {
        if (syncs > DISCONNECT_AFTER) socket.disconnect(true);
        else ack({ ok: false, error: { code: 'rate_limited', message: `at most ${SYNCS_PER_MINUTE} syncs a minute` } });
        return;
      }
      const parsed = syncRequest.safeParse(request);
      if (!parsed.success) {
        ack({ ok: false, error: { code: 'invalid_payload', message: 'sync needs { lastSeq: integer ≥ 0, stalled?: boolean }' } });
        return;
      }
      if (parsed.data.stalled) clientStalled(deps.log, { lastSeq: parsed.data.lastSeq, appliedSeq: deps.catchUp.appliedSeq, principal: principal.id, role: principal.role });
      deps.catchUp.since(parsed.data.lastSeq).then(
        (data) => ack({ ok: true, data }),
        (error: unknown) => {
          deps.log.warn({ err: error }, 'sync failed');
          ack({ ok: false, error: { code: 'unavailable', message: 'the event log is unavailable; retry shortly' } });
        },
      );
    });

    // Consoles fetch over HTTP and listen for notices; only the wall and the leader view fold the public stream.
    if (!may('sync')) return;
    const auth = handshakeSchema.safeParse(socket.handshake.auth ?? {});
    catchUpAndJoin(socket, deps, auth.success ? auth.data.lastSeq : undefined).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'catch-up failed; disconnecting so the client retries');
      socket.disconnect(true);
    });
  });
}

/** Disconnects, on this node, the sockets whose session no longer stands (expired, principal changed or gone). */
export function dropStaleSockets(io: IoServer, authenticator: Authenticator): number {
  let dropped = 0;
  for (const socket of io.of('/').sockets.values()) {
    const principal = (socket as IoSocket).data.principal;
    if (principal && !authenticator.stillValid(principal)) {
      socket.disconnect(true);
      dropped++;
    }
  }
  return dropped;
}
