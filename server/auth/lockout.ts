/**
 * Brute-force protection for sign-in: after `maxFailures` wrong passwords for one user name within the window, that
 * name is locked for the rest of the window, whoever tries; and one address gets `ipMaxFailures` failures in all,
 * whatever names it tries. Counted in Redis when there is one, so the lock holds on every node.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { createCounter, type SharedRedis } from '../rate-limit.js';

export interface LockoutSettings {
  maxFailures: number;
  ipMaxFailures: number;
  windowSeconds: number;
}

export class LoginLockout {
  readonly #byName: RateLimiterAbstract;
  readonly #byIp: RateLimiterAbstract;

  constructor(
    readonly settings: LockoutSettings,
    redis?: SharedRedis,
  ) {
    this.#byName = createCounter({ name: 'login-name', points: settings.maxFailures, durationSeconds: settings.windowSeconds }, redis);
    this.#byIp = createCounter({ name: 'login-ip', points: settings.ipMaxFailures, durationSeconds: settings.windowSeconds }, redis);
  }

  /** Seconds until this name or address may try again; 0 when it may now. */
  async retryAfter(username: string, ip: string): Promise<number> {
    const [name, addr] = await Promise.all([this.#byName.get(username), this.#byIp.get(ip)]);
    const waits = [
      name && name.consumedPoints >= this.settings.maxFailures ? name.msBeforeNext : 0,
      addr && addr.consumedPoints >= this.settings.ipMaxFailures ? addr.msBeforeNext : 0,
    ];
    return Math.ceil(Math.max(...waits) / 1000);
  }

  async failed(username: string, ip: string): Promise<void> {
    // A rejection only says the budget is now spent: retryAfter reports the lock.
    await Promise.all([this.#byName.consume(username).catch(() => undefined), this.#byIp.consume(ip).catch(() => undefined)]);
  }

  async succeeded(username: string): Promise<void> {
    await this.#byName.delete(username).catch(() => undefined);
  }
}
