/**
 * A real server in its own process, for tests that kill it, signal it or read its logs: prints `{ listening }` as one
 * JSON line when its port opens and `{ url }` when it is ready. With HOLD_START=1 it waits in `starting`, before
 * replaying the log, for a line on stdin. SIGTERM and SIGINT stop it as they stop `npm start` (server/ops/signals.ts).
 */
import readline from 'node:readline';
import { bootServer } from '../../server/boot.js';
import { stopOnSignals } from '../../server/ops/signals.js';
import { TEST_ADMIN_PASSWORD, TEST_SESSION_SECRET } from './auth.js';

const server = await bootServer({
  DATA_DIR: process.argv[2]!,
  LOG_LEVEL: (process.env.CHILD_LOG_LEVEL ?? process.argv[3] ?? 'warn') as 'warn',
  RISK_SWEEP_MS: 200,
  // The test signs in through the admin API like a real client (tests/helpers/auth.ts).
  ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
  SESSION_SECRET: TEST_SESSION_SECRET,
  ...(process.env.SHUTDOWN_TIMEOUT_SECONDS && { SHUTDOWN_TIMEOUT_SECONDS: process.env.SHUTDOWN_TIMEOUT_SECONDS }),
  ...(process.env.SNAPSHOT_EVERY_EVENTS && { SNAPSHOT_EVERY_EVENTS: process.env.SNAPSHOT_EVERY_EVENTS }),
}, {
  onListening: (url) => process.stdout.write(`${JSON.stringify({ listening: url })}\n`),
  beforeReplay: () =>
    process.env.HOLD_START === '1'
      ? new Promise<void>((resolve) => readline.createInterface({ input: process.stdin }).once('line', () => resolve()))
      : Promise.resolve(),
});
stopOnSignals(server, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
