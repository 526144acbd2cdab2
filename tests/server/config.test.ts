import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseArgs, resolveConfig } from '../../server/config.js';
import { DistrictDataError, loadDistrictData } from '../../server/district-data.js';
import type { RunningServer } from '../../server/boot.js';
import { caseReported } from '../helpers/factories.js';
import { fetchAs, post, startServer } from '../helpers/server.js';

describe('config', () => {
  it('resolves CLI over environment over defaults, once, frozen', () => {
    const config = resolveConfig({ env: { PORT: '4000', DISTRICT: 'baoan' }, argv: ['--port', '5000', '--demo'] });
    expect(config.PORT).toBe(5000);
    expect(config.DISTRICT).toBe('baoan');
    expect(config.DEMO).toBe(true);
    expect(config.HOST).toBe('127.0.0.1');
    expect(Object.isFrozen(config)).toBe(true);
    expect(parseArgs(['--data-dir=/tmp/x'])).toEqual({ DATA_DIR: '/tmp/x' });
  });

  it('says what is wrong with a bad value or an unknown flag', () => {
    expect(() => resolveConfig({ env: { PORT: 'eighty' } })).toThrow(/PORT/);
    expect(() => resolveConfig({ argv: ['--prot', '1'] })).toThrow(ConfigError);
    expect(() => resolveConfig({ env: { HEAT_HALF_LIFE_HOURS: '-1' } })).toThrow(/HEAT_HALF_LIFE_HOURS/);
  });

  it('takes REDIS_URL only with a shared PostgreSQL log, and TRUST_PROXY as Express reads it', () => {
    const shared = { DATABASE_URL: 'postgres://h/db', SESSION_SECRET: 'a-session-secret-of-at-least-32-chars' };
    expect(() => resolveConfig({ env: { REDIS_URL: 'redis://127.0.0.1:6379' } })).toThrow(/REDIS_URL: needs DATABASE_URL/);
    expect(() => resolveConfig({ env: { REDIS_URL: 'http://x', ...shared } })).toThrow(/REDIS_URL: must be a redis/);
    expect(resolveConfig({ env: { REDIS_URL: 'redis://r:6379/1', ...shared } }).REDIS_URL).toBe('redis://r:6379/1');
    expect(resolveConfig({}).TRUST_PROXY).toBe(false);
    expect(resolveConfig({ env: { TRUST_PROXY: '1' } }).TRUST_PROXY).toBe(1);
    expect(resolveConfig({ env: { TRUST_PROXY: 'true' } }).TRUST_PROXY).toBe(true);
    expect(resolveConfig({ env: { TRUST_PROXY: 'loopback' } }).TRUST_PROXY).toBe('loopback');
    expect(resolveConfig({}).RATE_LIMIT_INTAKE).toBeGreaterThan(0);
  });

  it('needs SESSION_SECRET, long enough, when nodes share a PostgreSQL log, and a long ADMIN_PASSWORD', () => {
    expect(() => resolveConfig({ env: { DATABASE_URL: 'postgres://h/db' } })).toThrow(/SESSION_SECRET: needs to be set/);
    expect(() => resolveConfig({ env: { DATABASE_URL: 'postgres://h/db', SESSION_SECRET: 'short' } })).toThrow(/SESSION_SECRET: at least 32/);
    expect(resolveConfig({ env: { DATABASE_URL: 'postgres://h/db', SESSION_SECRET: 'x'.repeat(32) } }).SESSION_SECRET).toBe('x'.repeat(32));
    // One node on SQLite makes a key in its data dir instead.
    expect(resolveConfig({}).SESSION_SECRET).toBeUndefined();
    expect(() => resolveConfig({ env: { ADMIN_PASSWORD: 'short' } })).toThrow(/ADMIN_PASSWORD: at least 12/);
  });

  it('refuses a district that has no data, naming the ones that exist', () => {
    expect(() => loadDistrictData('atlantis')).toThrow(DistrictDataError);
    expect(() => loadDistrictData('atlantis')).toThrow(/baoan, longgang|longgang, baoan/);
  });
});

describe('switching district by configuration alone', () => {
  let server: RunningServer;
  afterAll(async () => {
    await server?.close();
  });

  it('serves 宝安区 with DISTRICT=baoan and checks intake against its codes', async () => {
    server = await startServer({ DISTRICT: 'baoan' });
    const geo = await (await fetchAs(server, '/api/geo')).json();
    expect(geo.district.name.zh).toBe('宝安区');
    expect(geo.geo.streets.features).toHaveLength(10);
    expect(geo.geo.communities.features).toHaveLength(140);
    const longgangCase = await post(server, caseReported());
    expect(longgangCase.status).toBe(400);
    const baoanCase = await post(server, caseReported({ streetCode: '440306017', communityCode: '440306017001' }));
    expect(baoanCase.status).toBe(201);
  });
});
