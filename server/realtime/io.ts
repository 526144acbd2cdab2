/** The Socket.io server's types: what this node's sockets and the other nodes (through Redis) may send, typed once. */
import type { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/socket.js';
import type { SessionPrincipal } from '../auth/authenticator.js';

/** Between server nodes, through the Redis adapter (commit-fan-out.ts): committed events, as JSON text. */
export interface InterServerEvents {
  'log:committed': (events: string) => void;
}

export interface SocketData {
  principal: SessionPrincipal;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
