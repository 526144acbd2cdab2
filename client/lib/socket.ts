/**
 * The only module that talks to Socket.io. It owns the typed socket, sends the last applied seq in the handshake of
 * every (re)connection, and turns the socket's lifecycle into a connection state the wall shows to its viewers. The
 * server's heartbeat names the log's head: a wall that stays behind it is "catching up", never silently "live".
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, HandshakeAuth, Response, ServerToClientEvents, SyncResult } from '../../shared/socket.js';
import { refusalCode, sessionEnded, sessionInDoubt } from './session-signal.js';
import { StallWatch } from './stall-watch.js';

/** `catching-up`: connected, but behind the log's head for longer than the stall time; a sync is under way. */
export type ConnectionState = 'connecting' | 'live' | 'catching-up' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  /** When this state began (local ms); for reconnecting/offline, when the connection was lost. */
  since: number;
}

export interface WallConnection {
  on<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): () => void;
  onStatus(handler: (status: ConnectionStatus) => void): () => void;
  sync(lastSeq: number, stalled?: boolean): Promise<Response<SyncResult>>;
  /** Stalled behind the heartbeat's head: the handler asks for what is missing. */
  onStall(handler: () => void): () => void;
  /** The wall applied a batch or a snapshot: re-check whether it is still behind. */
  progress(): void;
  close(): void;
}

export interface ConnectOptions {
  /** Seq of the state the wall holds, or null before the first snapshot (the server then sends one). */
  lastSeq(): number | null;
  url?: string;
  /** Reconnecting for longer than this is reported as offline. */
  offlineAfterMs?: number;
  /** Behind the heartbeat's head for longer than this is a stall. */
  stallMs?: number;
  syncTimeoutMs?: number;
  now?: () => number;
  /** Socket.io's `io`; tests pass a fake. */
  io?: (url: string, options: Partial<ManagerOptions & SocketOptions>) => WallSocket;
}

type WallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const RETRY_AFTER_SERVER_DISCONNECT_MS = 1000;

export function connectWall(options: ConnectOptions): WallConnection {
  const now = options.now ?? Date.now;
  const offlineAfterMs = options.offlineAfterMs ?? 15_000;
  const listeners = new Set<(status: ConnectionStatus) => void>();
  let status: ConnectionStatus = { state: 'connecting', since: now() };
  let offlineTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const stallHandlers = new Set<() => void>();

  const setStatus = (next: ConnectionStatus): void => {
    status = next;
    for (const listener of listeners) listener(status);
  };
  const watch = new StallWatch({
    applied: options.lastSeq,
    now,
    ...(options.stallMs !== undefined && { stallMs: options.stallMs }),
    onStall: () => {
      // Connected with nothing to show (its snapshot never came): a new handshake without a seq brings one.
      if (options.lastSeq() === null) {
        socket.disconnect().connect();
        return;
      }
      for (const handler of stallHandlers) handler();
    },
    onChange: (catchingUp) => {
      if (catchingUp && status.state === 'live') setStatus({ state: 'catching-up', since: now() });
      else if (!catchingUp && status.state === 'catching-up') setStatus({ state: 'live', since: now() });
    },
  });

  const socket: WallSocket = (options.io ?? io)(options.url ?? '', {
    // A function, so every reconnection hands over the seq applied by then, not the one at first connect.
    auth: (cb: (auth: HandshakeAuth) => void) => {
      const lastSeq = options.lastSeq();
      cb(lastSeq === null ? {} : { lastSeq });
    },
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });

  socket.on('connect', () => {
    clearTimeout(offlineTimer);
    watch.reset();
    setStatus({ state: 'live', since: now() });
  });
  socket.on('head', (head) => watch.head(head.seq));
  // A batch tells of the log's head as surely as a heartbeat, which the server leaves out while batches flow: a wall
  // that cannot apply what it is sent (its snapshot never came) still notices and recovers under a steady stream.
  socket.on('events', (batch) => {
    const last = batch[batch.length - 1]?.seq;
    if (typeof last === 'number') watch.head(last);
  });
  socket.on('connect_error', (error) => {
    // Refused in the handshake (the kiosk session ended or was revoked): Socket.io will not retry; sign in again.
    const refused = refusalCode(error);
    if (!refused) return;
    clearTimeout(offlineTimer);
    setStatus({ state: 'offline', since: now() });
    if (refused === 'unauthenticated') sessionEnded();
    else sessionInDoubt();
  });
  socket.on('disconnect', (reason) => {
    // Dropped by the server (its session ended, or a catch-up failed), which Socket.io does not retry by itself: try
    // again shortly; a session that has ended is refused in the handshake and connect_error above says so.
    if (reason === 'io server disconnect') retryTimer = setTimeout(() => closed || socket.connect(), RETRY_AFTER_SERVER_DISCONNECT_MS);
    watch.reset();
    const lostAt = now();
    setStatus({ state: 'reconnecting', since: lostAt });
    clearTimeout(offlineTimer);
    offlineTimer = setTimeout(() => {
      if (status.state === 'reconnecting') setStatus({ state: 'offline', since: lostAt });
    }, offlineAfterMs);
  });

  return {
    on(event, handler) {
      // Socket.io's listener typing does not narrow through a generic key; the map above keeps it sound.
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
    onStall(handler) {
      stallHandlers.add(handler);
      return () => stallHandlers.delete(handler);
    },
    progress() {
      watch.check();
    },
    async sync(lastSeq, stalled) {
      try {
        return await socket.timeout(options.syncTimeoutMs ?? 5000).emitWithAck('sync', stalled ? { lastSeq, stalled } : { lastSeq });
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'sync timed out' } };
      }
    },
    close() {
      closed = true;
      clearTimeout(offlineTimer);
      clearTimeout(retryTimer);
      listeners.clear();
      stallHandlers.clear();
      socket.close();
    },
  };
}
