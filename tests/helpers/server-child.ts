/** A real server in its own process, for tests that kill it: prints its URL as one JSON line. */
import { bootServer } from '../../server/boot.js';

const server = await bootServer({ DATA_DIR: process.argv[2]!, LOG_LEVEL: 'warn' });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
