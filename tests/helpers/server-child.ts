/** A real server in its own process, for tests that kill it or read its logs: prints its URL as one JSON line. */
import { bootServer } from '../../server/boot.js';
import { TEST_ADMIN_PASSWORD, TEST_SESSION_SECRET } from './auth.js';

const server = await bootServer({
  DATA_DIR: process.argv[2]!,
  LOG_LEVEL: (process.argv[3] as 'warn' | undefined) ?? 'warn',
  RISK_SWEEP_MS: 200,
  // The test signs in through the admin API like a real client (tests/helpers/auth.ts).
  ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
  SESSION_SECRET: TEST_SESSION_SECRET,
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
