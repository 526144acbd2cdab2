/**
 * Signing browser pages in for the browser tests, the ways a real browser is: a session cookie got through the real
 * sign-in API put into the Playwright context (tests/helpers/auth.ts makes the users), the login form itself, or a
 * wall's kiosk link. Nothing here goes around the access guard.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { asAdmin, cookieFor, type Who } from '../helpers/auth.js';

/** Puts `who`'s session cookie (shared with the test's own API calls on this server) into a browser context. */
export async function signInContext(context: BrowserContext, server: { url: string }, who: Who): Promise<void> {
  const cookie = await cookieFor(server, who);
  const at = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: server.url, httpOnly: true, sameSite: 'Strict' }]);
}

/** A fresh kiosk code for a wall, made by the test admin (shown once by the server, as to an admin). */
export async function kioskCode(server: { url: string }, name = '测试大屏'): Promise<string> {
  const made = await asAdmin(server, 'POST', '/api/admin/kiosks', { name });
  if (made.status !== 201) throw new Error(`kiosk: ${made.status} ${JSON.stringify(made.body)}`);
  return made.body.secret as string;
}

/** A user with a password of the test's choosing (its own session, unlike the shared cookies of cookieFor). */
export async function makeUser(server: { url: string }, user: { username: string; name: string; role: 'duty' | 'dept' | 'leader' | 'admin'; deptId?: string; password: string }): Promise<string> {
  const made = await asAdmin(server, 'POST', '/api/admin/users', user);
  if (made.status !== 201) throw new Error(`user ${user.username}: ${made.status} ${JSON.stringify(made.body)}`);
  return made.body.id as string;
}

/** Signs in through the real login form: the page must be on `#/login` (or be sent there). */
export async function loginThroughForm(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Every socket.io frame a page receives, as text (for privacy checks of what reached the browser). */
export function recordSocketFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (socket) => {
    socket.on('framereceived', (frame) => frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')));
  });
  return frames;
}
