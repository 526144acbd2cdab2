/**
 * HTTP hygiene: JSON and the client's assets compressed (brotli or gzip as accepted), hashed assets cached for good,
 * the app shell only at / (the client routes by hash), every other unknown path a 404, and the signed-in geography
 * never kept by a shared cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/boot.js';
import { fetchAs, startServer } from '../helpers/server.js';

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const built = fs.existsSync(path.join(clientDir, 'index.html'));
let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('HTTP hygiene', () => {
  it('compresses JSON with brotli or gzip, as the client accepts', async () => {
    for (const encoding of ['br', 'gzip'] as const) {
      const res = await fetch(`${server.url}/api/openapi.json`, { headers: { 'accept-encoding': encoding } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect((await res.json()) as object).toHaveProperty('openapi');
    }
    expect((await fetch(`${server.url}/api/openapi.json`, { headers: { 'accept-encoding': 'identity' } })).headers.get('content-encoding')).toBeNull();
  });

  it('keeps /api/geo out of shared caches', async () => {
    const res = await fetchAs(server, '/api/geo');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
  });

  it('answers 404 for unknown paths instead of the app shell', async () => {
    const paths = fc.sample(fc.stringMatching(/^\/[a-z0-9][a-z0-9/_-]{0,30}$/).filter((p) => !p.startsWith('/api') && !p.startsWith('/socket.io') && !['/healthz', '/readyz', '/metrics', '/index.html'].includes(p) && !p.startsWith('/assets')), 15);
    for (const p of [...paths, '/wall', '/login']) {
      const res = await fetch(`${server.url}${p}`);
      expect({ p, status: res.status }).toEqual({ p, status: 404 });
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it.skipIf(!built)('serves the shell at / uncached, and hashed assets immutable and compressed', async () => {
    for (const p of ['/', '/index.html']) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    const asset = fs.readdirSync(path.join(clientDir, 'assets')).find((f) => f.endsWith('.js'))!;
    const res = await fetch(`${server.url}/assets/${asset}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
  });
});
