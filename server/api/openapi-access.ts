/**
 * The OpenAPI side of access control: the sign-in and admin routes, and for every operation the roles the access
 * table allows (`x-roles`) and how to authenticate (`security`), taken from server/auth/access.ts so the document
 * cannot drift from what the guard enforces.
 */
import { z } from 'zod';
import { apiKeyCreateSchema, kioskCreateSchema, loginSchema, unmaskSchema, userCreateSchema, userUpdateSchema } from '../../shared/auth.js';
import { routeRules } from '../auth/access.js';

type Fragment = Record<string, unknown>;
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

export function accessPaths(parts: { json: (schema: object) => Fragment; err: (description: string) => Fragment }): Record<string, Fragment> {
  const { json, err } = parts;
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const created = (description: string) => ({ 201: { description }, 400: err('Invalid body: error.details per field') });
  return {
    '/api/auth/login': {
      post: {
        summary: 'Sign in with user name and password: sets the HttpOnly session cookie (a new session id every time)',
        requestBody: json(schema(loginSchema)),
        responses: { 200: { description: 'Me' }, 401: err('invalid_credentials'), 429: err('locked: too many failures; Retry-After says when') },
      },
    },
    '/api/auth/kiosk': { post: { summary: "Sign a wall screen in with its kiosk code (role wall, read-only)", requestBody: json(schema(z.strictObject({ code: z.string() }))), responses: { 200: { description: 'Me' }, 401: err('Unknown or revoked code') } } },
    '/api/auth/logout': { post: { summary: 'End the session on every node (the cookie is refused from now on)', responses: { 204: { description: 'Signed out' } } } },
    '/api/auth/me': { get: { summary: 'Who the session is: role, department, when it expires', responses: { 200: { description: 'Me' }, 401: err('Not signed in, or the session ended') } } },
    '/api/cases/{id}/unmask': {
      post: {
        summary: "One case's parties unmasked, for a stated reason; audited before anything is shown",
        parameters: [idParam],
        requestBody: json(schema(unmaskSchema)),
        responses: { 200: { description: 'CaseDetail with masked: false' }, 404: err('Unknown case'), 503: err('The audit log is unavailable: nothing shown') },
      },
    },
    '/api/admin/users': {
      get: { summary: 'Users', responses: { 200: { description: '{ items: UserView[] }' } } },
      post: { summary: 'Create a user', requestBody: json(schema(userCreateSchema)), responses: { ...created('UserView'), 409: err('username_taken') } },
    },
    '/api/admin/users/{id}': {
      patch: {
        summary: 'Change a user (name, role, department, password, disabled); ends their sessions when access changes',
        parameters: [idParam],
        requestBody: json(schema(userUpdateSchema)),
        responses: { 200: { description: 'UserView' }, 404: err('Unknown user'), 409: err('version_conflict (error.current) or last_admin') },
      },
    },
    '/api/admin/kiosks': {
      get: { summary: 'Kiosk credentials of wall screens', responses: { 200: { description: '{ items: KioskView[] }' } } },
      post: { summary: 'Create a kiosk credential: the code is in this answer only', requestBody: json(schema(kioskCreateSchema)), responses: created('{ item: KioskView, secret }') },
    },
    '/api/admin/users/{id}/unlock': { post: { summary: "Lift every sign-in lock and slow-down on the user's name (audited)", parameters: [idParam], responses: { 200: { description: 'UserView' }, 404: err('Unknown user') } } },
    '/api/admin/kiosks/{id}/revoke': { post: { summary: 'Revoke a kiosk: its walls are disconnected', parameters: [idParam], responses: { 200: { description: 'KioskView' }, 404: err('Unknown kiosk') } } },
    '/api/admin/keys': {
      get: { summary: 'Integration keys with their scopes and last use', responses: { 200: { description: '{ items: ApiKeyView[] }' } } },
      post: { summary: 'Create an integration key scoped to event types and sources: the key is in this answer only', requestBody: json(schema(apiKeyCreateSchema)), responses: created('{ item: ApiKeyView, secret }') },
    },
    '/api/admin/keys/{id}/revoke': { post: { summary: 'Revoke an integration key', parameters: [idParam], responses: { 200: { description: 'ApiKeyView' }, 404: err('Unknown key') } } },
    '/api/admin/audit': {
      get: {
        summary: 'The audit log, newest first (filters: from, to, actorId, action, target, limit, before)',
        parameters: ['from', 'to', 'actorId', 'action', 'target', 'limit', 'before'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
        responses: { 200: { description: '{ items: AuditEntry[] }' }, 400: err('Invalid query') },
      },
    },
    '/api/admin/audit/verify': { get: { summary: 'Recompute the hash chain: ok, or the first entry that does not hold', responses: { 200: { description: 'VerifyResult' } } } },
  };
}

/** Adds `x-roles`, `security` and the 401/403 answers to every operation that has a rule. */
export function withAccess(paths: Record<string, Record<string, Fragment>>, err: (description: string) => Fragment): Record<string, Record<string, Fragment>> {
  for (const rule of routeRules) {
    const operation = paths[rule.path.replace(/:([a-zA-Z]+)/g, '{$1}')]?.[rule.method.toLowerCase()];
    if (!operation) continue;
    operation['x-roles'] = [...rule.allow];
    if (rule.allow.includes('public')) continue;
    const integration = rule.allow.includes('integration');
    operation.security = integration ? [{ integrationKey: [] }] : [{ session: [] }];
    const responses = (operation.responses ??= {}) as Record<string, unknown>;
    responses[401] ??= err(integration ? 'No valid integration key' : 'Not signed in, or the session ended');
    if (!integration) responses[403] ??= err(`Only ${rule.allow.join(', ')}`);
    else responses[403] ??= err("An event outside the key's types or sources");
  }
  return paths;
}
