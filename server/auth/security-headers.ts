/**
 * Security headers (helmet) with a CSP that fits the wall: scripts only from the server itself, styles inline too
 * (Svelte and Leaflet set style attributes), images from itself, data: URLs and the optional tile server; no
 * upgrade-insecure-requests, since a district's intranet may serve plain HTTP and the app would then load nothing.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(tileUrl: string | null): RequestHandler {
  const tiles = tileUrl ? [new URL(tileUrl.replace(/\{[a-z]\}/gi, 'x')).origin] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:', ...tiles],
        'connect-src': ["'self'"],
        'upgrade-insecure-requests': null,
      },
    },
    // The wall is never framed by another site.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
