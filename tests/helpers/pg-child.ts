/**
 * A server node on PostgreSQL in its own process, for the multi-node tests: DATABASE_URL, DATABASE_SCHEMA and
 * RISK_IDENTITY_KEY come from its environment, the data dir from argv[2]. It prints `{ url, pid }` as one JSON line,
 * then answers JSON commands on stdin, one a line, with one JSON line each:
 * `{ id, cmd: 'advance', ms }` moves its clock on; `{ id, cmd: 'sweep' }` runs the overdue timers and says whether
 * it held the lease; `{ id, cmd: 'lease' }` checks the lease.
 */
import readline from 'node:readline';
import { bootServer } from '../../server/boot.js';
import { TEST_ADMIN_PASSWORD, TEST_SESSION_SECRET } from './auth.js';

let offset = 0;
const env = process.env;
const server = await bootServer(
  {
    DATA_DIR: process.argv[2]!,
    LOG_LEVEL: 'warn',
    STREAM_BATCH_MS: 5,
    // Sweeps are driven through stdin; the intervals never fire during a test.
    TIMER_SWEEP_MS: 60_000,
    RISK_SWEEP_MS: 3_600_000,
    DATABASE_URL: env.DATABASE_URL!,
    DATABASE_SCHEMA: env.DATABASE_SCHEMA!,
    RISK_IDENTITY_KEY: env.RISK_IDENTITY_KEY!,
    SESSION_SECRET: TEST_SESSION_SECRET,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    ...(env.REDIS_URL && { REDIS_URL: env.REDIS_URL }),
    ...(env.RATE_LIMIT_INTAKE && { RATE_LIMIT_INTAKE: env.RATE_LIMIT_INTAKE }),
  },
  { clock: () => Date.now() + offset },
);
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);

const reply = (body: unknown) => process.stdout.write(`${JSON.stringify(body)}\n`);
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line) as { id: number; cmd: 'advance' | 'sweep' | 'lease'; ms?: number };
  const { id } = request;
  if (request.cmd === 'advance') {
    offset += request.ms ?? 0;
    reply({ id, ok: true });
  } else if (request.cmd === 'sweep') {
    void server.timers.sweep().then((fired) => reply({ id, fired, lease: server.lease.held }));
  } else {
    void server.lease.hold().then((held) => reply({ id, held }));
  }
});
