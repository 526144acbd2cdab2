/**
 * Brute-force protection for sign-in: after `maxFailures` wrong passwords for one user name within the window, that
 * name is locked for the rest of the window, whoever tries; and one address gets `ipMaxFailures` failures in all,
 * whatever names it tries. Counted in Redis when there is one, so the lock holds on every node.
 *
 * An attempt is counted before its password is checked and given back when it succeeds: counting only after a
 * failure let every guess sent at once pass the check before the first failure was counted, so a burst of a thousand
 * parallel guesses all got an answer.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createCounter, type SharedRedis } from '../rate-limit.js';

export interface LockoutSettings {
  maxFailures: number;
  ipMaxFailures: number;
  windowSeconds: number;
}

/** Seconds until a refused budget allows an attempt again; a counter that could not count locks nothing. */
function waitOf(refusal: unknown): number {
  return refusal instanceof RateLimiterRes ? Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) : 0;
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

  /**
   * Counts an attempt at `username` from `ip` before its password is checked. Answers the seconds to wait when the
   * address or the name has no attempts left (make no attempt then), else 0.
   */
  async attempt(username: string, ip: string): Promise<number> {
    const address = await this.#byIp.consume(ip).then(() => 0, waitOf);
    if (address > 0) return address;
    return this.#byName.consume(username).then(() => 0, waitOf);
  }

  /** The password was right: the name's failures are forgiven and the address gets its attempt back. */
  async succeeded(username: string, ip: string): Promise<void> {
    await Promise.all([this.#byName.delete(username).catch(() => undefined), this.#byIp.reward(ip, 1).catch(() => undefined)]);
  }
}
