/**
 * A real server in its own process, for tests that kill it, signal it or read its logs: prints its URL as one JSON
 * line. SIGTERM and SIGINT stop it as they stop `npm start` (server/ops/signals.ts).
 */
import { bootServer } from '../../server/boot.js';
import { stopOnSignals } from '../../server/ops/signals.js';
import { TEST_ADMIN_PASSWORD, TEST_SESSION_SECRET } from './auth.js';

const server = await bootServer({
  DATA_DIR: process.argv[2]!,
  LOG_LEVEL: (process.argv[3] as 'warn' | undefined) ?? 'warn',
  RISK_SWEEP_MS: 200,
  // The test signs in through the admin API like a real client (tests/helpers/auth.ts).
  ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
  SESSION_SECRET: TEST_SESSION_SECRET,
  ...(process.env.SHUTDOWN_TIMEOUT_SECONDS && { SHUTDOWN_TIMEOUT_SECONDS: process.env.SHUTDOWN_TIMEOUT_SECONDS }),
});
stopOnSignals(server, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
