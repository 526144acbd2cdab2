/**
 * The consoles' socket: the server puts it in the rooms of the signed-in session (the duty room, the department's own
 * room, the leader room) and it only hears `case:changed` notices, which say *that* a case changed; the consoles then
 * refetch over HTTP. There is no snapshot and no replay for notices, so a console refetches everything after each
 * reconnection (`onStatus` → live again). A handshake refused as `unauthenticated` ends the session in the browser.
 * The server's heartbeat names the seq of the last notice it sent to this console's room: a console that has not heard
 * it within the stall time shows "catching up" for a moment and then goes live again, which refetches (issue 17).
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { AlertNotice, CaseNotice, ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from '../../shared/socket.js';
import { refusalCode, sessionEnded, sessionInDoubt } from './session-signal.js';
import type { ConnectionStatus } from './socket.js';
import { StallWatch } from './stall-watch.js';

export type { ConnectionStatus } from './socket.js';

export interface ConsoleConnection {
  on(event: 'case:changed', handler: (notices: CaseNotice[]) => void): () => void;
  onStatus(handler: (status: ConnectionStatus) => void): () => void;
  close(): void;
}

/** Alerts raised or changed: the duty and leader rooms hear them (the department rooms do not). */
export interface AlertListener {
  on(event: 'alert:changed', handler: (notices: AlertNotice[]) => void): () => void;
}

/** The public stream every socket also gets (the leader view only uses it as "something changed" and for the time). */
export interface StreamListener {
  on(event: 'snapshot', handler: ServerToClientEvents['snapshot']): () => void;
  on(event: 'events', handler: ServerToClientEvents['events']): () => void;
}

type ConsoleSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const RETRY_AFTER_SERVER_DISCONNECT_MS = 1000;
/** How long a stalled console says "catching up" before it goes live again and so refetches. */
export const CATCHING_UP_SHOW_MS = 1000;

export interface ConsoleConnectOptions {
  url?: string;
  /** Reconnecting for longer than this is reported as offline. */
  offlineAfterMs?: number;
  /** A notice the heartbeat names and this console has not heard for longer than this is a stall. */
  stallMs?: number;
  now?: () => number;
  /** Socket.io's `io`; tests pass a fake. */
  io?: (url: string, options: Partial<ManagerOptions & SocketOptions>) => ConsoleSocket;
}

export function connectConsole(options: ConsoleConnectOptions = {}): ConsoleConnection & AlertListener & StreamListener {
  const now = options.now ?? Date.now;
  const offlineAfterMs = options.offlineAfterMs ?? 15_000;
  const listeners = new Set<(status: ConnectionStatus) => void>();
  let status: ConnectionStatus = { state: 'connecting', since: now() };
  let offlineTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  /** The seq of the last notice heard (case or alert), or null before the first. */
  let heard: number | null = null;
  /** The first heartbeat after a (re)connection is the baseline: what came before it the connection's refetch covers. */
  let baseline = true;

  const setStatus = (next: ConnectionStatus): void => {
    status = next;
    for (const listener of listeners) listener(status);
  };
  const watch = new StallWatch({
    applied: () => heard,
    now,
    ...(options.stallMs !== undefined && { stallMs: options.stallMs }),
    onStall: (notice) => {
      // The refetch on going live again covers every notice up to the one named.
      heard = Math.max(heard ?? 0, notice);
      if (status.state !== 'live') return;
      setStatus({ state: 'catching-up', since: now() });
      clearTimeout(catchUpTimer);
      catchUpTimer = setTimeout(() => {
        if (status.state === 'catching-up') setStatus({ state: 'live', since: now() });
      }, CATCHING_UP_SHOW_MS);
    },
    onChange: () => undefined,
  });
  const hear = (notices: ReadonlyArray<{ seq: number }>): void => {
    for (const notice of notices) if (heard === null || notice.seq > heard) heard = notice.seq;
    watch.check();
  };

  // The server puts the socket in its rooms from the session cookie; the handshake carries no claim of who it is.
  const handshake: HandshakeAuth = {};
  const socket: ConsoleSocket = (options.io ?? io)(options.url ?? '', {
    auth: handshake as Record<string, unknown>,
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });

  const lost = (): void => {
    const lostAt = now();
    setStatus({ state: 'reconnecting', since: lostAt });
    clearTimeout(offlineTimer);
    offlineTimer = setTimeout(() => {
      if (status.state === 'reconnecting') setStatus({ state: 'offline', since: lostAt });
    }, offlineAfterMs);
  };

  socket.on('connect', () => {
    clearTimeout(offlineTimer);
    watch.reset();
    baseline = true;
    setStatus({ state: 'live', since: now() });
  });
  socket.on('case:changed', hear);
  socket.on('alert:changed', hear);
  socket.on('head', (head) => {
    if (head.notice === undefined) return;
    if (baseline) {
      baseline = false;
      heard = Math.max(heard ?? 0, head.notice);
    }
    watch.head(head.notice);
  });
  socket.on('disconnect', (reason) => {
    watch.reset();
    clearTimeout(catchUpTimer);
    lost();
    // The server dropped this socket (its session ended or changed), which Socket.io does not retry by itself. Try
    // once more shortly: a session that has ended is then refused in the handshake, and connect_error says so.
    if (reason === 'io server disconnect') retryTimer = setTimeout(() => closed || socket.connect(), RETRY_AFTER_SERVER_DISCONNECT_MS);
  });
  socket.on('connect_error', (error) => {
    const refused = refusalCode(error);
    if (refused) {
      // Refused in the handshake: Socket.io will not retry, and retrying would not help.
      clearTimeout(offlineTimer);
      setStatus({ state: 'offline', since: now() });
      if (refused === 'unauthenticated') sessionEnded();
      else sessionInDoubt();
      return;
    }
    if (status.state === 'connecting') lost();
  });

  return {
    on(event: keyof ServerToClientEvents, handler: (...args: never[]) => void) {
      socket.on(event, handler as never);
      return () => {
        socket.off(event, handler as never);
      };
    },
    onStatus(handler) {
      listeners.add(handler);
      handler(status);
      return () => listeners.delete(handler);
    },
    close() {
      closed = true;
      clearTimeout(offlineTimer);
      clearTimeout(retryTimer);
      clearTimeout(catchUpTimer);
      listeners.clear();
      socket.close();
    },
  };
}
