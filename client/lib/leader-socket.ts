/**
 * The leader view's socket. It joins as view `leader` (the leader room for escalation notices, and the public stream
 * the wall folds) but folds nothing itself: any batch or notice only says "something changed", and the view refetches
 * its overview, throttled. The snapshot on (re)connection carries the server's time, which corrects the clock.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from '../../shared/socket.js';
import type { ConnectionStatus } from './socket.js';

type LeaderSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LeaderConnectOptions {
  onChange: () => void;
  onStatus: (status: ConnectionStatus) => void;
  onServerTime: (serverTime: string, receivedAt: number) => void;
  url?: string;
  /** Reconnecting for longer than this is reported as offline. */
  offlineAfterMs?: number;
  now?: () => number;
  /** Socket.io's `io`; tests pass a fake. */
  io?: (url: string, options: Partial<ManagerOptions & SocketOptions>) => LeaderSocket;
}

export function connectLeader(options: LeaderConnectOptions): { close(): void } {
  const now = options.now ?? Date.now;
  const offlineAfterMs = options.offlineAfterMs ?? 15_000;
  let state: ConnectionStatus['state'] = 'connecting';
  let offlineTimer: ReturnType<typeof setTimeout> | undefined;
  const setStatus = (next: ConnectionStatus): void => {
    state = next.state;
    options.onStatus(next);
  };
  setStatus({ state: 'connecting', since: now() });

  const auth: HandshakeAuth = { view: 'leader' };
  const socket: LeaderSocket = (options.io ?? io)(options.url ?? '', {
    auth: auth as Record<string, unknown>,
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
      if (state === 'reconnecting') setStatus({ state: 'offline', since: lostAt });
    }, offlineAfterMs);
  };

  socket.on('connect', () => {
    clearTimeout(offlineTimer);
    setStatus({ state: 'live', since: now() });
  });
  socket.on('disconnect', lost);
  socket.on('connect_error', () => {
    if (state === 'connecting') lost();
  });
  let snapshots = 0;
  socket.on('snapshot', (snapshot) => {
    options.onServerTime(snapshot.serverTime, now());
    // The first one comes with the view's own first load; a later one means a reconnection that may have missed changes.
    if (snapshots++ > 0) options.onChange();
  });
  socket.on('events', () => options.onChange());
  socket.on('case:changed', () => options.onChange());

  return {
    close() {
      clearTimeout(offlineTimer);
      socket.close();
    },
  };
}
