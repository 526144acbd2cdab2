/**
 * Socket.io clients for the access suites: opened with whatever headers a test chooses (a cookie, an Origin, a key,
 * nothing), and promises for what the server then does with them: admit, refuse at the handshake, or disconnect.
 */
import { io as connect } from 'socket.io-client';
import type { TestSocket } from '../../helpers/server.js';

export type Refusal = Error & { data?: { code?: string } };

const open: TestSocket[] = [];

/** Closes every socket opened since the last call (an afterEach). */
export function closeSockets(): void {
  for (const socket of open.splice(0)) socket.close();
}

export function openSocket(url: string, headers: Record<string, string>, options: { reconnection?: boolean } = {}): TestSocket {
  const socket: TestSocket = connect(url, {
    transports: ['websocket'],
    extraHeaders: headers,
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
    forceNew: true,
  });
  open.push(socket);
  return socket;
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when the socket is admitted; rejects with the refusal when the handshake is refused. */
export function admitted(socket: TestSocket, ms = 5000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return within(
    ms,
    'connect',
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    }),
  );
}

/** Resolves with the handshake's refusal; rejects when the socket is admitted instead. */
export function refused(socket: TestSocket, ms = 5000): Promise<Refusal> {
  return within(
    ms,
    'connect_error',
    new Promise<Refusal>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the socket was admitted')));
      socket.once('connect_error', (error) => resolve(error as Refusal));
    }),
  );
}

/** Resolves with the reason when the socket is next disconnected. */
export function disconnected(socket: TestSocket, ms = 5000): Promise<string> {
  return within(ms, 'disconnect', new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason))));
}
