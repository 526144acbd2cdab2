/**
 * Brute-force protection for sign-in that a stranger cannot turn against the account (issue 15, item 8). Five wrong
 * passwords used to lock a name everywhere, the right password refused too, so anyone could lock the admin out; and
 * fifty failures locked every sign-in from one address, a whole centre behind NAT. Now:
 *
 * - name × address: `maxFailures` wrong passwords for a name from one address lock that name *from that address*
 *   for the window (429 `locked`, the right password refused too): guessing one password from one place stops there;
 * - name: past `nameMaxFailures` failures from all addresses together (a spread-out attack), the name slows down to
 *   one attempt per `slowSeconds` (429 with a short Retry-After): a delay, never a lock;
 * - address: past `ipMaxFailures` failures whatever names it tries, the address slows down the same way;
 * - an address the name signed in from before (within `knownDays`) skips both slow lanes: the officer at the
 *   centre's own address is neither slowed by a stranger's attempts at the name nor by colleagues' typos behind NAT;
 * - kiosk codes are long random secrets, hopeless to guess: a right one is never refused, so no failures of others
 *   keep a wall out; wrong ones past an address's budget are answered 429 (and audited as locked) instead of 401;
 * - an admin's unlock (`POST /api/admin/users/:id/unlock`) starts the name's counters afresh.
 *
 * An attempt is counted before its password is checked and given back when it succeeds: counting only after a
 * failure let every guess sent at once pass the check before the first failure was counted. Counted in Redis when
 * there is one (with a memory fallback while it is away), so every node sees the same counts.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createCounter, type SharedRedis } from '../rate-limit.js';

export interface LockoutSettings {
  /** Wrong passwords for one name from one address before that pair is locked for the window. */
  maxFailures: number;
  /** Failures of one name from all addresses before it slows down. */
  nameMaxFailures: number;
  /** Failures from one address, whatever the names, before it slows down. */
  ipMaxFailures: number;
  windowSeconds: number;
  /** A slowed name or address gets one attempt per this many seconds. */
  slowSeconds: number;
  /** An address a name signed in from is known to it this long. */
  knownDays: number;
}

/** Seconds until a refused budget allows an attempt again; a counter that could not count refuses nothing. */
function waitOf(refusal: unknown): number {
  return refusal instanceof RateLimiterRes ? Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) : 0;
}

const spend = (counter: RateLimiterAbstract, key: string) => counter.consume(key).then(() => 0, waitOf);

export class LoginLockout {
  readonly #pair: RateLimiterAbstract;
  readonly #name: RateLimiterAbstract;
  readonly #ip: RateLimiterAbstract;
  readonly #nameSlow: RateLimiterAbstract;
  readonly #ipSlow: RateLimiterAbstract;
  readonly #known: RateLimiterAbstract;
  /** Per name, how many times an admin unlocked it: part of every key of the name, so an unlock starts afresh. */
  readonly #epoch: RateLimiterAbstract;

  constructor(
    readonly settings: LockoutSettings,
    redis?: SharedRedis,
  ) {
    const window = settings.windowSeconds;
    this.#pair = createCounter({ name: 'login-pair', points: settings.maxFailures, durationSeconds: window }, redis);
    this.#name = createCounter({ name: 'login-name', points: settings.nameMaxFailures, durationSeconds: window }, redis);
    this.#ip = createCounter({ name: 'login-ip', points: settings.ipMaxFailures, durationSeconds: window }, redis);
    this.#nameSlow = createCounter({ name: 'login-name-slow', points: 1, durationSeconds: settings.slowSeconds }, redis);
    this.#ipSlow = createCounter({ name: 'login-ip-slow', points: 1, durationSeconds: settings.slowSeconds }, redis);
    this.#known = createCounter({ name: 'login-known', points: 1, durationSeconds: settings.knownDays * 86_400 }, redis);
    // Duration 0: kept for good (one small key per name ever unlocked).
    this.#epoch = createCounter({ name: 'login-epoch', points: Number.MAX_SAFE_INTEGER, durationSeconds: 0 }, redis);
  }

  async #epochOf(name: string): Promise<number> {
    const res = await this.#epoch.get(name).catch(() => null);
    return res?.consumedPoints ?? 0;
  }

  /**
   * Counts an attempt at `name` from `ip` before its password is checked. Answers the seconds to wait when the
   * attempt may not be made (make none then), else 0.
   */
  async attempt(name: string, ip: string): Promise<number> {
    const epoch = await this.#epochOf(name);
    const locked = await spend(this.#pair, `${name}|${epoch}|${ip}`);
    if (locked > 0) return locked;
    if (await this.#isKnown(name, ip)) return 0;
    // Past its budget, a name or an address gets one attempt per slowSeconds.
    const [nameOver, ipOver] = await Promise.all([spend(this.#name, `${name}|${epoch}`), spend(this.#ip, ip)]);
    if (nameOver > 0) {
      const wait = await spend(this.#nameSlow, `${name}|${epoch}`);
      if (wait > 0) return wait;
    }
    if (ipOver > 0) return spend(this.#ipSlow, ip);
    return 0;
  }

  /** The password was right: the name's failures from this address are forgiven, the address known to it. */
  async succeeded(name: string, ip: string): Promise<void> {
    const epoch = await this.#epochOf(name);
    await Promise.all([
      this.#pair.delete(`${name}|${epoch}|${ip}`).catch(() => undefined),
      this.#ip.reward(ip, 1).catch(() => undefined),
      this.#name.reward(`${name}|${epoch}`, 1).catch(() => undefined),
      this.#known.set(`${name}|${ip}`, 1, this.settings.knownDays * 86_400).catch(() => undefined),
    ]);
  }

  async #isKnown(name: string, ip: string): Promise<boolean> {
    const res = await this.#known.get(`${name}|${ip}`).catch(() => null);
    return (res?.consumedPoints ?? 0) > 0;
  }

  /** A kiosk code that was wrong: answers the seconds to wait when the address has sent too many. */
  async kioskFailed(ip: string): Promise<number> {
    return spend(this.#ip, `kiosk|${ip}`);
  }

  /** An admin lifts every lock and delay on a name: its counters start afresh (on every node). */
  async unlock(name: string): Promise<void> {
    await this.#epoch.penalty(name, 1);
  }
}
