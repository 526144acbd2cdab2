/**
 * Who is acting, for the dispatch routes. PROVISIONAL until sign-in exists (the access-control issue): the consoles
 * name their role and department in headers. This function is the only place that reads them, so sessions replace it
 * here and nothing else changes.
 */
import type { Request } from 'express';
import { z } from 'zod';
import type { Actor } from '../../shared/dispatch.js';
import type { DistrictData } from '../district-data.js';
import { HttpError } from './errors.js';

export const ACTOR_HEADERS = { role: 'x-actor-role', dept: 'x-actor-dept', name: 'x-actor-name' } as const;

const headerSchema = z.strictObject({
  role: z.enum(['duty', 'dept', 'leader']),
  dept: z.string().regex(/^[a-z0-9-]{2,40}$/).optional(),
  /** URI-encoded, so a 40-character Chinese name takes up to 360 characters here; the decoded name is capped below. */
  name: z.string().max(400).optional(),
});

export function actorOf(req: Request, district: DistrictData): Actor {
  const raw = {
    role: req.get(ACTOR_HEADERS.role),
    dept: req.get(ACTOR_HEADERS.dept),
    name: req.get(ACTOR_HEADERS.name),
  };
  if (!raw.role) throw new HttpError(401, 'unauthenticated', `say who is acting: send the ${ACTOR_HEADERS.role} header (duty, dept or leader)`);
  const parsed = headerSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) throw new HttpError(401, 'unauthenticated', `the ${ACTOR_HEADERS.role}/${ACTOR_HEADERS.dept} headers are malformed`);
  const { role, dept, name } = parsed.data;
  let decoded: string | undefined;
  try {
    decoded = name ? decodeURIComponent(name).slice(0, 40) : undefined;
  } catch {
    decoded = undefined;
  }
  if (role === 'dept') {
    if (!dept || !district.departments.some((d) => d.id === dept)) throw new HttpError(401, 'unauthenticated', `a department user needs a known ${ACTOR_HEADERS.dept}`);
    return { role, id: decoded ?? dept, deptId: dept, ...(decoded && { name: decoded }) };
  }
  return { role, id: decoded ?? role, ...(decoded && { name: decoded }) };
}

export function requireRole(actor: Actor, roles: readonly Actor['role'][]): void {
  if (!roles.includes(actor.role)) throw new HttpError(403, 'forbidden', `this needs the ${roles.join(' or ')} role`);
}
