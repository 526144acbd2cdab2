/**
 * npx tsx server/audit/cli.ts verify [--data-dir DIR --district NAME | --database-url URL --schema NAME]
 * (npm run audit:verify). Exit 0: intact; 1: tampered, with the entry and why; 2: could not check.
 */
import { runVerifyCommand } from './verify-command.js';

process.exitCode = await runVerifyCommand(process.argv.slice(2), process.env, {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
