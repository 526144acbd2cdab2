/**
 * Benchmarked servers run with access control like any other: their first admin (BENCH_ADMIN_PASSWORD) makes an
 * integration key for the load generator and a kiosk for the wall clients, exactly as an operator would.
 */
export const BENCH_ADMIN_PASSWORD = 'bench-admin-password-long';

export interface BenchAccess {
  /** `Bearer …` value for intake. */
  authorization: string;
  /** `sygl_session=…` of a wall kiosk, shared by every benchmark client. */
  cookie: string;
}

function cookieOf(res: Response): string {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sygl_session='))?.split(';')[0];
  if (!cookie) throw new Error(`no session cookie (${res.status})`);
  return cookie;
}

export async function provision(url: string): Promise<BenchAccess> {
  const json = { 'content-type': 'application/json' };
  const admin = cookieOf(await fetch(`${url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: BENCH_ADMIN_PASSWORD }) }));
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { ...json, cookie: admin, origin: new URL(url).origin }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { secret: string };
  };
  const key = await post('/api/admin/keys', { name: 'benchmark', types: ['case.reported', 'case.resolved', 'alert.raised'], sources: ['grid', 'hotline', 'walkin', 'court', 'police', 'online', 'system'] });
  const kiosk = await post('/api/admin/kiosks', { name: 'benchmark wall' });
  const cookie = cookieOf(await fetch(`${url}/api/auth/kiosk`, { method: 'POST', headers: json, body: JSON.stringify({ code: kiosk.secret }) }));
  return { authorization: `Bearer ${key.secret}`, cookie };
}
