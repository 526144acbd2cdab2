/**
 * Who is acting, for the dispatch and alert routes: the signed-in principal the access guard established
 * (auth/guard.ts), as the domain's Actor. Which roles may call a route is the access table's business
 * (auth/access.ts); this only names the actor and its department for the domain's own checks and the record.
 */
import type { Response } from 'express';
import type { Actor } from '../../shared/dispatch.js';
import { sessionOf } from '../auth/guard.js';
import { HttpError } from './errors.js';

export function actorOf(res: Response): Actor {
  const principal = sessionOf(res);
  if (principal.kind !== 'user' || (principal.role !== 'duty' && principal.role !== 'dept' && principal.role !== 'leader')) {
    throw new HttpError(403, 'forbidden', `the ${principal.role} role may not do this`);
  }
  const base = { role: principal.role, id: principal.id, name: principal.name };
  return principal.role === 'dept' ? { ...base, deptId: principal.deptId! } : base;
}
