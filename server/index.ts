/** CLI entry: `npm start` (server alone) and `npm run demo` (with the demo feed). */
import { ConfigError } from './config.js';
import { DistrictDataError } from './district-data.js';
import { StoreMismatchError, StoreUnavailableError } from './store/event-store.js';
import { SchemaVersionError } from './store/schema-version.js';
import { demoGuide } from './sim/demo-guide.js';
import { helpText, preflight } from './ops/preflight.js';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(helpText());
  process.exit(0);
}
// Everything that would fail later, all at once, before anything listens or opens (server/ops/preflight.ts).
const checked = await preflight({ argv, env: process.env });
for (const warning of checked.warnings) console.error(`warning: ${warning}`);
if (checked.problems.length) {
  for (const problem of checked.problems) console.error(`cannot start: ${problem}`);
  process.exit(2);
}

// Until start-up is done nothing has been acknowledged that a stop could cut: a signal then just exits.
const exitWhileStarting = (signal: NodeJS.Signals) => {
  console.log(`${signal} while starting: exiting`);
  process.exit(0);
};
process.once('SIGINT', exitWhileStarting);
process.once('SIGTERM', exitWhileStarting);
try {
  // Loaded only now: --help and the checks answer without loading the whole server.
  const { bootServer } = await import('./boot.js');
  const { stopOnSignals } = await import('./ops/signals.js');
  const server = await bootServer({}, { env: process.env, argv });
  process.off('SIGINT', exitWhileStarting);
  process.off('SIGTERM', exitWhileStarting);
  console.log(`\n  诉源治理指挥中心 · ${server.url}   API: ${server.url}/api/openapi.json   data: ${server.dataDir}`);
  if (server.demo) {
    const d = server.demo;
    console.log(
      [
        '',
        '  演示登录 · Demo sign-in (every demo user has the same password)',
        `    password / 密码:   ${d.password}`,
        `    users / 用户:      leader (领导) · duty1 duty2 duty3 (值班员) · dept-labour dept-court … (部门, dept-<id>)${d.admin ? ' · admin (管理员)' : ''}`,
        `    sign in / 登录:    ${server.url}/#/login`,
        `    the wall / 大屏:   ${server.url}/#/wall?kiosk=${d.kioskCode}`,
        `    kept in ${server.dataDir}/demo-credentials.json`,
        ...demoGuide(server.url),
      ].join('\n'),
    );
    // The history is written after the port opens: say when it is there, and how long it took.
    server.demoHistory?.then(
      (h) => console.log(`\n  演示历史已写入 · demo history written: ${h.days} 天/days, ${h.events} 条事件/events, ${h.dispatched} 件经吹哨闭环/cases through the loop (${h.steps} 步/steps, ${h.refused} refused), ${(h.ms / 1000).toFixed(1)} s\n`),
      () => undefined,
    );
  }
  console.log('');
  stopOnSignals(server);
} catch (error) {
  if (error instanceof ConfigError || error instanceof DistrictDataError || error instanceof StoreMismatchError || error instanceof SchemaVersionError) {
    console.error(`cannot start: ${error.message}`);
    process.exit(2);
  }
  // What changed between the checks and the start (the port taken meanwhile, PostgreSQL gone): still one line.
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || error instanceof StoreUnavailableError) {
    console.error(`cannot start: ${(error as Error).message}`);
    process.exit(2);
  }
  throw error;
}
