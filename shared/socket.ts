/** The typed Socket.io contract shared by server and client (one event map, one ack shape). */
import type { PublicEvent } from './events.js';
import type { WallState } from './wall-state.js';

export const errorCodes = ['invalid_payload', 'not_found', 'conflict', 'unavailable', 'rate_limited', 'internal'] as const;
export type ErrorCode = (typeof errorCodes)[number];

export type Response<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

export interface WallSnapshot {
  /** Server time when taken, so a client can correct its own clock for "today" and heat decay. */
  serverTime: string;
  state: WallState;
}

export type SyncResult = { mode: 'replay'; events: PublicEvent[] } | { mode: 'snapshot'; snapshot: WallSnapshot };

/** Sent in the handshake (`auth`) on every (re)connection. */
export interface HandshakeAuth {
  lastSeq?: number;
}

export interface ServerToClientEvents {
  /** A full state; everything after it arrives as `events` with seq > snapshot.state.seq. */
  snapshot: (snapshot: WallSnapshot) => void;
  /** Committed events in seq order, coalesced into short batches. */
  events: (batch: PublicEvent[]) => void;
}

export interface ClientToServerEvents {
  /** Ask for what followed `lastSeq` (e.g. after seeing a gap): a replay, or a snapshot when too far behind. */
  sync: (request: { lastSeq: number }, ack: (response: Response<SyncResult>) => void) => void;
}
