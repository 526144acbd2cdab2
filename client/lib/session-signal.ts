/**
 * How the transports tell the session store that the server no longer knows this browser, without importing it
 * (the transports stay plain modules that tests can load on their own): a 401 from any API call or a socket
 * handshake refused as `unauthenticated` says the session ended; a socket the server dropped says "check".
 */
export type SessionSignal = 'ended' | 'check';

const listeners = new Set<(signal: SessionSignal) => void>();

export function onSessionSignal(listener: (signal: SessionSignal) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The server answered 401 `unauthenticated`: not signed in, or the session ended (idle, expired, signed out elsewhere). */
export function sessionEnded(): void {
  for (const listener of listeners) listener('ended');
}

/** Something suggests the session may have ended (the server closed a socket): ask the server. */
export function sessionInDoubt(): void {
  for (const listener of listeners) listener('check');
}

/** A refused Socket.io handshake carries `data.code` (server/realtime/connection.ts). */
export function refusalCode(error: unknown): string | undefined {
  const code = (error as { data?: { code?: unknown } } | null)?.data?.code;
  return typeof code === 'string' ? code : undefined;
}
