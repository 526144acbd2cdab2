/** Our real server (bootServer, default config, fresh temp data dir, port 0) as a benchmark child. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootServer, type RunningServer } from '../../server/boot.js';
import { serve } from './children.js';
import { createProbe } from './probe.js';
import { BENCH_ADMIN_PASSWORD, provision } from './access.js';

const probe = createProbe();
let server: RunningServer | undefined;

async function shutdown(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  await s.close();
  // The data dir bootServer made under the temp dir (…/sygl-XXXX/<district>): remove the whole temp folder.
  const tempRoot = path.dirname(s.dataDir);
  if (path.dirname(tempRoot) === os.tmpdir() && path.basename(tempRoot).startsWith('sygl-')) {
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
}

serve(
  {
    async start(overrides: Record<string, string | number> = {}) {
      server = await bootServer({ ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD, ...overrides });
      return { url: server.url, config: { STREAM_BATCH_MS: server.config.STREAM_BATCH_MS } };
    },
    /** An intake key and a wall kiosk session for the load processes (access.ts). */
    provision: () => provision(server!.url),
    mark: () => probe.mark(),
    measure: () => probe.measure(),
    memory: () => probe.memory(),
  },
  shutdown,
);
