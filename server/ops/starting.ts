/**
 * What the server answers while it replays the event log at start-up: it listens at once, so a restart does not
 * look like an outage to the proxy and the screens. `/healthz` 200; `/readyz` 503 `starting` with the progress;
 * API routes 503 `starting`; pages a small start-up screen (Chinese and English) that reloads itself.
 */
import type http from 'node:http';
import type { Lifecycle } from './lifecycle.js';

export function startingHandler(lifecycle: Lifecycle): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const { replayed, total } = lifecycle.replay;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...(status === 503 && { 'Retry-After': '2' }) });
      res.end(JSON.stringify(body));
    };
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') return json(503, { status: 'starting', seq: 0, problems: ['starting: replaying the event log'], checks: {}, replay: { replayed, total } });
    if (path.startsWith('/api/') || path.startsWith('/socket.io/') || path === '/metrics' || req.method !== 'GET') {
      return json(503, { error: { code: 'starting', message: 'the server is starting: replaying the event log', replay: { replayed, total } } });
    }
    res.writeHead(503, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Retry-After': '2',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(startingPage(replayed, total));
  };
}

export function startingPage(replayed: number, total: number): string {
  const pct = total > 0 ? Math.floor((replayed / total) * 100) : 0;
  const figures = `${replayed.toLocaleString('en')} / ${total.toLocaleString('en')}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>正在启动 · Starting</title>
<style>body{margin:0;height:100vh;display:flex;align-items:center;justify-content:center;background:#0b1622;color:#d6e4f0;font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif}
main{text-align:center}h1{font-weight:500;font-size:28px;margin:0 0 8px}p{margin:4px 0;color:#8aa4bd}progress{width:320px;height:10px;margin:16px 0}</style></head>
<body><main><h1>诉源治理指挥中心正在启动</h1><p>The command centre is starting</p>
<progress max="100" value="${pct}"></progress>
<p>正在重放事件日志 · Replaying the event log: ${figures} (${pct}%)</p>
<p>本页每 2 秒自动刷新 · This page reloads every 2 seconds</p></main></body></html>
`;
}
