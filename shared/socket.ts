/** The typed Socket.io contract shared by server and client (one event map, one ack shape). */
import type { Stage } from './dispatch.js';
import type { AlertEventType, DomainEventType, PublicEvent } from './events.js';
import type { Urgency } from './vocabulary.js';
import type { WallState } from './wall-state.js';

export const errorCodes = ['invalid_payload', 'not_found', 'conflict', 'unavailable', 'rate_limited', 'forbidden', 'internal'] as const;
export type ErrorCode = (typeof errorCodes)[number];

export type Response<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

export interface WallSnapshot {
  /** Server time when taken, so a client can correct its own clock for "today" and heat decay. */
  serverTime: string;
  state: WallState;
}

export type SyncResult = { mode: 'replay'; events: PublicEvent[] } | { mode: 'snapshot'; snapshot: WallSnapshot };


/**
 * Sent in the handshake (`auth`) on every (re)connection. Who the socket is, and so its rooms, comes from the session
 * cookie, never from here.
 */
export interface HandshakeAuth {
  lastSeq?: number;
}

/** A case changed: enough for a console to know whether to refetch, never personal data. */
export interface CaseNotice {
  seq: number;
  type: DomainEventType;
  caseId: string;
  at: string;
  category: string;
  streetCode: string;
  communityCode: string;
  whistleId?: string;
  deptId?: string;
  stage?: Stage;
  urgency?: Urgency;
  /** Departments with a part in the whistle concerned. */
  departments?: string[];
}

/** An alert was raised or changed: for the duty and leader rooms, which refetch the alert list. */
export interface AlertNotice {
  seq: number;
  /** An alert event, or a whistle blown from the alert. */
  type: AlertEventType | 'case.whistled';
  alertId: string;
  at: string;
  streetCode: string;
  communityCode?: string;
}

export interface ServerToClientEvents {
  /** A full state; everything after it arrives as `events` with seq > snapshot.state.seq. */
  snapshot: (snapshot: WallSnapshot) => void;
  /** Committed events in seq order, coalesced into short batches. */
  events: (batch: PublicEvent[]) => void;
  /** Lifecycle changes for the duty room, each department's own room, and (escalations) the leader room. */
  'case:changed': (notices: CaseNotice[]) => void;
  'alert:changed': (notices: AlertNotice[]) => void;
  /** The heartbeat (every STREAM_HEARTBEAT_MS): how far the log goes, so a client can tell it has fallen behind. */
  head: (head: StreamHead) => void;
}

/** The log's head as this node knows it; for a console room also the seq of the last notice sent to that room. */
export interface StreamHead {
  seq: number;
  notice?: number;
}

export interface ClientToServerEvents {
  /**
   * Ask for what followed `lastSeq` (e.g. after seeing a gap): a replay, or a snapshot when too far behind.
   * `stalled`: the client has stayed behind the heartbeat's head (the server logs and counts it).
   */
  sync: (request: { lastSeq: number; stalled?: boolean }, ack: (response: Response<SyncResult>) => void) => void;
}
