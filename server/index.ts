/** CLI entry: `npm start` (server alone) and `npm run demo` (with the demo feed). */
import { ConfigError } from './config.js';
import { bootServer } from './boot.js';
import { DistrictDataError } from './district-data.js';
import { StoreMismatchError } from './store/event-store.js';

try {
  const server = await bootServer({}, { env: process.env, argv: process.argv.slice(2) });
  console.log(`\n  诉源治理指挥中心 · wall: ${server.url}/#/wall   API: ${server.url}/api/openapi.json   data: ${server.dataDir}\n`);
  const stop = (signal: string) => {
    console.log(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError || error instanceof DistrictDataError || error instanceof StoreMismatchError) {
    console.error(`cannot start: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
