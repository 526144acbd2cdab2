/**
 * Says up front what this machine can and cannot run. Off CI a missing Chromium skips the browser tests with a
 * reason; on CI (CI=true) nothing may be skipped, so it is an error.
 */
import fs from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default function setup(): void {
  const missing: string[] = [];
  if (!fs.existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM}): browser tests will be SKIPPED — install with: apt-get install -y chromium`);
  if (missing.length === 0) return;
  if (process.env.CI === 'true') throw new Error(`CI must run every test, but these are missing:\n  ${missing.join('\n  ')}`);
  console.warn(`\n[test setup] not available on this machine:\n  ${missing.join('\n  ')}\n`);
}
