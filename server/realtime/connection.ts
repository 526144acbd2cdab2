/**
 * Socket handlers. A socket is admitted only with a session that stands (the same cookie as HTTP, checked in the
 * handshake) and a role that may connect (auth/access.ts); the server, never the client, chooses its rooms from
 * that session. The wall and the leader view then get a snapshot, or the replay of what they missed since the seq
 * named in the handshake, and live batches. Socket.io's own connection-state recovery may have re-delivered the
 * missed packets already; the seq protocol does not depend on it.
 */
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { rooms } from '../../shared/rooms.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/socket.js';
import { socketRules } from '../auth/access.js';
import type { Authenticator, SessionPrincipal } from '../auth/authenticator.js';
import { readCookie, SESSION_COOKIE } from '../auth/session-token.js';
import type { Logger } from '../log.js';
import type { CatchUp } from './catch-up.js';

/** Between server nodes, through the Redis adapter (commit-fan-out.ts): committed events, as JSON text. */
export interface InterServerEvents {
  'log:committed': (events: string) => void;
}

interface SocketData {
  principal: SessionPrincipal;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The seq the client has applied, and the two keys Socket.io's client adds when it tries to recover its session. */
const handshakeSchema = z.strictObject({ lastSeq: z.number().int().min(0).optional(), pid: z.string().max(64).optional(), offset: z.string().max(64).optional() });
const syncRequest = z.strictObject({ lastSeq: z.number().int().min(0) });

/** Per socket: at most this many `sync` requests a minute; a socket far past it is disconnected. */
const SYNCS_PER_MINUTE = 30;
const DISCONNECT_AFTER = 3 * SYNCS_PER_MINUTE;

async function catchUpAndJoin(socket: IoSocket, catchUp: CatchUp, lastSeq: number | undefined): Promise<void> {
  const result = await catchUp.since(lastSeq);
  if (!socket.connected) return;
  if (result.mode === 'snapshot') socket.emit('snapshot', result.snapshot);
  else if (result.events.length) socket.emit('events', result.events);
  // Same tick as the last read: every later commit reaches this socket through the room.
  void socket.join(rooms.wall);
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

export function attachConnectionHandlers(io: IoServer, deps: { catchUp: CatchUp; log: Logger; authenticator: Authenticator }): void {
  io.use((socket, next) => {
    const admitted = admission(socket, deps.authenticator);
    if (!admitted.ok) return next(admitted.refusal);
    socket.data.principal = admitted.principal;
    next();
  });

  io.on('connection', (socket) => {
    // A recovered socket skipped the middleware (connectionStateRecovery.skipMiddlewares) and got back the session it
    // had when its transport dropped, but that session may have ended meanwhile (signed out, disabled, a new
    // password) with no socket there to drop: it is admitted again on what it presents now, as the same session.
    if (socket.recovered) {
      const admitted = admission(socket, deps.authenticator);
      if (!admitted.ok || admitted.principal.sessionId !== socket.data.principal.sessionId) {
        socket.disconnect(true);
        return;
      }
      socket.data.principal = admitted.principal;
    }
    const principal = socket.data.principal;
    for (const room of roomsOf(principal)) void socket.join(room);
    const may = (event: keyof typeof socketRules.events) => (socketRules.events[event] as readonly string[]).includes(principal.role);

    let syncs = 0;
    const window = setInterval(() => (syncs = 0), 60_000);
    window.unref();
    socket.on('disconnect', () => clearInterval(window));

    socket.on('sync', (request, ack) => {
      if (typeof ack !== 'function') return;
      if (!may('sync')) {
        ack({ ok: false, error: { code: 'forbidden', message: `the ${principal.role} role may not sync the wall stream` } });
        return;
      }
      if (++syncs > SYNCS_PER_MINUTE) {
        if (syncs > DISCONNECT_AFTER) socket.disconnect(true);
        else ack({ ok: false, error: { code: 'rate_limited', message: `at most ${SYNCS_PER_MINUTE} syncs a minute` } });
        return;
      }
      const parsed = syncRequest.safeParse(request);
      if (!parsed.success) {
        ack({ ok: false, error: { code: 'invalid_payload', message: 'sync needs { lastSeq: integer ≥ 0 }' } });
        return;
      }
      deps.catchUp.since(parsed.data.lastSeq).then(
        (data) => ack({ ok: true, data }),
        (error: unknown) => {
          deps.log.warn({ err: error }, 'sync failed');
          ack({ ok: false, error: { code: 'unavailable', message: 'the event log is unavailable; retry shortly' } });
        },
      );
    });

    // Consoles fetch over HTTP and listen for notices; only the wall and the leader view fold the public stream.
    if (socket.recovered || !may('sync')) return;
    const auth = handshakeSchema.safeParse(socket.handshake.auth ?? {});
    catchUpAndJoin(socket, deps.catchUp, auth.success ? auth.data.lastSeq : undefined).catch((error: unknown) => {
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
