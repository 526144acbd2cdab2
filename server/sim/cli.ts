/**
 * Runs the demo feed against a server that is already running:
 *   npx tsx server/sim/cli.ts --url http://127.0.0.1:3000 --rate 600 --backfill 30 --seed 42 --district longgang
 */
import { parseArgs } from 'node:util';
import { loadDistrictData } from '../district-data.js';
import { DEMO_FEED_DEFAULTS, startDemoFeed } from './demo-feed.js';

const USAGE = `usage: tsx server/sim/cli.ts [options]
  --url URL            server base URL (default http://127.0.0.1:3000)
  --rate N             live case arrivals per hour (default ${DEMO_FEED_DEFAULTS.ratePerHour})
  --backfill DAYS      days of history to write first (default ${DEMO_FEED_DEFAULTS.backfillDays})
  --backfill-rate N    case arrivals per hour in the history (default ${DEMO_FEED_DEFAULTS.backfillRatePerHour})
  --seed N             simulation seed (default ${DEMO_FEED_DEFAULTS.seed})
  --district ID        folder under data/districts (default longgang)
  --api-key KEY        sent as "Authorization: Bearer KEY" (or env SIM_API_KEY)`;

function number(name: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    console.error(`--${name} must be a${integer ? 'n integer' : ' number'} ≥ 0, got "${value}"\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

function readArgs() {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:3000' },
        rate: { type: 'string' },
        backfill: { type: 'string' },
        'backfill-rate': { type: 'string' },
        seed: { type: 'string' },
        district: { type: 'string', default: 'longgang' },
        'api-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const args = readArgs();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function loadData(id: string) {
  try {
    return loadDistrictData(id);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}

const data = loadData(args.district);
const apiKey = args['api-key'] ?? process.env.SIM_API_KEY;
const feed = startDemoFeed({
  baseUrl: args.url,
  ...(apiKey ? { apiKey } : {}),
  seed: number('seed', args.seed, DEMO_FEED_DEFAULTS.seed, true),
  ratePerHour: number('rate', args.rate, DEMO_FEED_DEFAULTS.ratePerHour),
  backfillRatePerHour: number('backfill-rate', args['backfill-rate'], DEMO_FEED_DEFAULTS.backfillRatePerHour),
  backfillDays: number('backfill', args.backfill, DEMO_FEED_DEFAULTS.backfillDays),
  district: data.info,
  categories: data.categories,
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void feed.stop().then(() => process.exit(0));
  });
}
