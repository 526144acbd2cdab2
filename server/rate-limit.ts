/**
 * Request rate limits per client, shared by every node of a cluster through Redis (issue 7): a client spreading its
 * requests over three nodes gets the same budget as on one. rate-limiter-flexible keeps each budget in one Redis key
 * (an atomic INCR with expiry). While Redis is away each node falls back to a budget of its own in memory, so a
 * Redis outage neither stops intake nor lifts the limits.
 */
import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from './log.js';
import type { RedisClient } from './redis.js';

export interface RateLimitRule {
  /** Names the budget in Redis keys and in the 429's message. */
  name: string;
  /** Requests per minute per client; 0 turns the limit off. */
  perMinute: number;
}

export type SharedRedis = { client: RedisClient; prefix: string };

export function createLimiter(rule: RateLimitRule, redis?: SharedRedis): RateLimiterAbstract {
  return createCounter({ name: rule.name, points: rule.perMinute, durationSeconds: 60 }, redis);
}

/**
 * A budget of `points` per `durationSeconds` per key, in Redis when there is one (with a memory fallback while it
 * is away), else in memory. Also the login lockout's failure counter.
 */
export function createCounter(options: { name: string; points: number; durationSeconds: number }, redis?: SharedRedis): RateLimiterAbstract {
  const base = { keyPrefix: `${redis?.prefix ?? 'sygl'}:rl:${options.name}`, points: options.points, duration: options.durationSeconds };
  if (!redis) return new RateLimiterMemory(base);
  return new RateLimiterRedis({
    ...base,
    storeClient: redis.client,
    useRedisPackage: true,
    // Fail over to memory at once rather than queue the check behind a reconnecting client.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(base),
  });
}

/**
 * Refuses requests past the budget with 429 and Retry-After. The client is `req.ip`: behind a reverse proxy set
 * TRUST_PROXY, or every request counts as the proxy's.
 */
export function limitRequests(rule: RateLimitRule, limiter: RateLimiterAbstract, log: Logger, key: (req: Request, res: Response) => string = (req) => req.ip ?? 'unknown'): RequestHandler {
  if (rule.perMinute <= 0) return (_req, _res, next) => next();
  return (req, res, next) => {
    limiter.consume(key(req, res)).then(
      () => next(),
      (refusal: unknown) => {
        if (!(refusal instanceof RateLimiterRes)) {
          // Neither Redis nor the fallback could count: let the request through rather than refuse it for our fault.
          log.warn({ err: refusal, limit: rule.name }, 'rate limit check failed; request let through');
          next();
          return;
        }
        const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
        res
          .status(429)
          .set('Retry-After', String(seconds))
          .json({ error: { code: 'rate_limited', message: `too many requests (${rule.name}): at most ${rule.perMinute} a minute from one client; retry in ${seconds} s`, params: { seconds, perMinute: rule.perMinute } } });
      },
    );
  };
}
