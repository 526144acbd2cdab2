/**
 * The baseline: plain http + socket.io Server, no store, no validation, no batching, one room. Each POSTed
 * event is turned into a public-event-shaped object (same fields and size as ours) and emitted on its own:
 * one `events` packet per event. Answers like our intake API ({ results: [{ seq }] }) so one generator fits both.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serve } from './children.js';
import { createProbe } from './probe.js';

const probe = createProbe();
let httpServer: http.Server | undefined;
let io: Server | undefined;

function start(): Promise<{ url: string }> {
  let seq = 0;
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/events') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const b = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const event = {
        seq: ++seq,
        id: randomUUID(),
        at: new Date().toISOString(),
        type: b.type,
        case: {
          caseId: randomUUID(),
          kind: b.kind,
          category: b.category,
          streetCode: b.streetCode,
          communityCode: b.communityCode,
          severity: b.severity,
          peopleInvolved: b.peopleInvolved ?? 1,
          weight: b.severity,
          reportedAt: b.reportedAt,
        },
        source: b.source,
      };
      io!.to('wall').emit('events', [event]);
      const body = JSON.stringify({ results: [{ index: 0, id: event.id, seq: event.seq, type: event.type, duplicate: false }] });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  io = new Server(server, { serveClient: false });
  io.on('connection', (socket) => void socket.join('wall'));
  httpServer = server;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

serve(
  {
    start,
    mark: () => probe.mark(),
    measure: () => probe.measure(),
    memory: () => probe.memory(),
  },
  async () => {
    httpServer?.closeAllConnections();
    await io?.close();
  },
);
