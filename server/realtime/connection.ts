/**
 * Socket handlers. On connect a client gets a snapshot, or the replay of what it missed since the seq it
 * names in its handshake; then it joins the wall room for live batches. Socket.io's own connection-state recovery
 * may have re-delivered the missed packets already; the seq protocol does not depend on it.
 */
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { rooms } from '../../shared/rooms.js';
import { socketViews, type ClientToServerEvents, type ServerToClientEvents } from '../../shared/socket.js';
import type { DistrictData } from '../district-data.js';
import type { Logger } from '../log.js';
import type { CatchUp } from './catch-up.js';

/** Between server nodes, through the Redis adapter (commit-fan-out.ts): committed events, as JSON text. */
export interface InterServerEvents {
  'log:committed': (events: string) => void;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const handshakeSchema = z.object({
  lastSeq: z.number().int().min(0).optional(),
  view: z.enum(socketViews).default('wall'),
  deptId: z.string().max(40).optional(),
});
const syncRequest = z.strictObject({ lastSeq: z.number().int().min(0) });

async function catchUpAndJoin(socket: IoSocket, catchUp: CatchUp, lastSeq: number | undefined): Promise<void> {
  const result = await catchUp.since(lastSeq);
  if (!socket.connected) return;
  if (result.mode === 'snapshot') socket.emit('snapshot', result.snapshot);
  else if (result.events.length) socket.emit('events', result.events);
  // Same tick as the last read: every later commit reaches this socket through the room.
  void socket.join(rooms.wall);
}

export function attachConnectionHandlers(io: IoServer, deps: { catchUp: CatchUp; log: Logger; district: DistrictData }): void {
  io.on('connection', (socket) => {
    const auth = handshakeSchema.safeParse(socket.handshake.auth ?? {});
    const view = auth.success ? auth.data.view : 'wall';
    // Work rooms (PROVISIONAL until sign-in: the view names its department). Notices carry no personal data.
    if (view === 'duty' || view === 'leader') void socket.join(rooms.role(view));
    if (view === 'dept') {
      const deptId = auth.success ? auth.data.deptId : undefined;
      if (!deptId || !deps.district.departments.some((d) => d.id === deptId)) {
        socket.emit('case:changed', []);
        socket.disconnect(true);
        return;
      }
      void socket.join(rooms.department(deptId));
    }

    socket.on('sync', (request, ack) => {
      if (typeof ack !== 'function') return;
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
    if (socket.recovered || view === 'duty' || view === 'dept') return;
    catchUpAndJoin(socket, deps.catchUp, auth.success ? auth.data.lastSeq : undefined).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'catch-up failed; disconnecting so the client retries');
      socket.disconnect(true);
    });
  });
}
