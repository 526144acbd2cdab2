/** A real server in its own process, for tests that kill it or read its logs: prints its URL as one JSON line. */
import { bootServer } from '../../server/boot.js';

const server = await bootServer({ DATA_DIR: process.argv[2]!, LOG_LEVEL: (process.argv[3] as 'warn' | undefined) ?? 'warn', RISK_SWEEP_MS: 200 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
