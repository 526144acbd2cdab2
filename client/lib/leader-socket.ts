/**
 * The leader view's socket: a console connection in the leader room (escalation and alert notices) that also gets the
 * public stream, but folds nothing itself: any batch or notice only says "something changed", and the view refetches
 * its overview, throttled. The snapshot on (re)connection carries the server's time, which corrects the clock.
 */
import { connectConsole, type ConsoleConnectOptions } from './console-socket.js';
import type { ConnectionStatus } from './socket.js';

export interface LeaderConnectOptions extends ConsoleConnectOptions {
  onChange: () => void;
  onStatus: (status: ConnectionStatus) => void;
  onServerTime: (serverTime: string, receivedAt: number) => void;
}

export function connectLeader(options: LeaderConnectOptions): { close(): void } {
  const { onChange, onStatus, onServerTime, ...connect } = options;
  const now = options.now ?? Date.now;
  const connection = connectConsole(connect);
  connection.onStatus(onStatus);
  let snapshots = 0;
  connection.on('snapshot', (snapshot) => {
    onServerTime(snapshot.serverTime, now());
    // The first one comes with the view's own first load; a later one means a reconnection that may have missed changes.
    if (snapshots++ > 0) onChange();
  });
  connection.on('events', () => onChange());
  connection.on('case:changed', () => onChange());
  connection.on('alert:changed', () => onChange());
  return { close: () => connection.close() };
}
