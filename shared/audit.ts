/**
 * The audit trail's entries: who did what to which object, from where, and how it ended. The audit log
 * (server/audit/) keeps them append-only and hash-chained, apart from the event log.
 *
 * Never put a password, a session token, an API key or a cookie in an entry, `details` included: auditors read the
 * log for months, and anyone with a copy of the database would hold the secrets. Record *that* a key was created
 * and its id, never the key. As a last guard the draft schema refuses `details` keys that name such secrets.
 *
 * Fields an attacker chooses (the name typed into a failed login, the User-Agent) are cleaned and cut to length
 * rather than refused, so a hostile login attempt is still recorded; what only our own code chooses (action,
 * outcome, the shape of `details`) is refused when wrong.
 */
import { z } from 'zod';

export const auditActions = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'login.unlocked',
  'logout',
  'session.expired',
  'authz.denied',
  'case.unmasked',
  'export',
  'command',
  'intake',
  'user.created',
  'user.updated',
  'user.disabled',
  'kiosk.created',
  'kiosk.revoked',
  'apikey.created',
  'apikey.revoked',
  'audit.viewed',
  'audit.pruned',
] as const;
export const auditActionSchema = z.enum(auditActions);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const auditActorKinds = ['user', 'kiosk', 'apikey', 'system', 'anonymous'] as const;
export const auditOutcomes = ['ok', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

export const AUDIT_USER_AGENT_MAX = 200;
/** Ids, names, roles, targets. */
export const AUDIT_TEXT_MAX = 200;
/** IPv6 with a zone index stays well under this. */
export const AUDIT_IP_MAX = 64;
/** `details` as canonical JSON: a reason, a command type, a few ids; never a payload. */
export const AUDIT_DETAILS_MAX_CHARS = 4096;
const DETAILS_MAX_DEPTH = 6;

/**
 * NUL and unpaired surrogates: PostgreSQL's text refuses the first and silently rewrites the second as U+FFFD,
 * so the stored entry would no longer hash as it was sealed. Replace both on the way in.
 */
const unstorable = /\u0000|\p{Cs}/gu;

/** Cleans and cuts by code point, so a cut never leaves half a surrogate pair. */
export function cleanText(value: string, max: number): string {
  const clean = value.replace(unstorable, '\uFFFD');
  if (clean.length <= max) return clean;
  return Array.from(clean).slice(0, max).join('');
}

const text = (max: number) => z.string().transform((s) => cleanText(s, max));

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Key names that hold secrets, compared lower-case without `-`, `_` or spaces. */
const secretKeys = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'newpassword', 'oldpassword', 'secret', 'clientsecret', 'token',
  'accesstoken', 'refreshtoken', 'sessiontoken', 'idtoken', 'apikey', 'authorization', 'cookie', 'otp',
]);
const isSecretKey = (key: string) => secretKeys.has(key.toLowerCase().replace(/[-_\s]/g, ''));

/** Why a value is not plain JSON; a class, so no JSON value can be mistaken for it. */
class NotJson {
  constructor(readonly problem: string) {}
}

/** A plain JSON copy of `value`. Depth-bounded, so a cycle is refused rather than followed. */
function toJson(value: unknown, depth: number): JsonValue | NotJson {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return cleanText(value, AUDIT_DETAILS_MAX_CHARS);
  if (typeof value === 'number') return Number.isFinite(value) ? value : new NotJson('numbers must be finite');
  if (typeof value !== 'object') return new NotJson(`a ${typeof value} is not JSON`);
  if (depth > DETAILS_MAX_DEPTH) return new NotJson(`nested deeper than ${DETAILS_MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) {
      const json = toJson(item, depth + 1);
      if (json instanceof NotJson) return json;
      out.push(json);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return new NotJson('only plain objects (no Date, Map or class instances)');
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (isSecretKey(key)) return new NotJson(`"${key}" looks like a secret: never put passwords, tokens or keys in the audit log`);
    const json = toJson(item, depth + 1);
    if (json instanceof NotJson) return json;
    // defineProperty: a plain assignment to "__proto__" would set the prototype and lose the member.
    Object.defineProperty(out, cleanText(key, AUDIT_TEXT_MAX), { value: json, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const detailsSchema = z.unknown().transform((value, ctx): JsonObject => {
  let json: JsonValue | NotJson;
  try {
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    json = isObject ? toJson(value, 0) : new NotJson('must be a JSON object');
  } catch (error) {
    // A getter or a proxy that throws: not data we can keep.
    json = new NotJson(`unreadable (${error instanceof Error ? error.message : String(error)})`);
  }
  if (json instanceof NotJson) {
    ctx.issues.push({ code: 'custom', message: json.problem, input: value });
    return z.NEVER;
  }
  const object = json as JsonObject;
  if (JSON.stringify(object).length > AUDIT_DETAILS_MAX_CHARS) {
    ctx.issues.push({ code: 'custom', message: `longer than ${AUDIT_DETAILS_MAX_CHARS} characters as JSON`, input: value });
    return z.NEVER;
  }
  return object;
});

export const auditActorSchema = z.object({
  kind: z.enum(auditActorKinds),
  id: text(AUDIT_TEXT_MAX).optional(),
  name: text(AUDIT_TEXT_MAX).optional(),
  role: text(AUDIT_TEXT_MAX).optional(),
});
export type AuditActor = z.output<typeof auditActorSchema>;

/** What a caller records; the log adds seq, at and the chain. Unknown keys are dropped, not stored. */
export const auditDraftSchema = z.object({
  actor: auditActorSchema,
  action: auditActionSchema,
  /** The object acted on: a case id, a user id, a kiosk id. */
  target: text(AUDIT_TEXT_MAX).optional(),
  outcome: z.enum(auditOutcomes),
  /** The client address as the server sees it (after TRUST_PROXY); '' for the system's own work. */
  ip: text(AUDIT_IP_MAX),
  userAgent: text(AUDIT_USER_AGENT_MAX).optional(),
  /** A small JSON object: the reason given for unmasking, the command type. Never a secret. */
  details: detailsSchema.optional(),
});
export type AuditDraft = z.input<typeof auditDraftSchema>;
/** A draft after validation and cleaning. */
export type AuditRecord = z.output<typeof auditDraftSchema>;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);

/** A stored entry, as the log returns it (and as an API would send it). */
export const auditEntrySchema = z.object({
  /** Gapless per chain, assigned by the log in commit order. */
  seq: z.number().int().positive(),
  /** ISO 8601 from the log's clock, taken under the chain lock. */
  at: z.string(),
  actor: z.object({ kind: z.enum(auditActorKinds), id: z.string().optional(), name: z.string().optional(), role: z.string().optional() }),
  action: auditActionSchema,
  target: z.string().optional(),
  outcome: z.enum(auditOutcomes),
  ip: z.string(),
  userAgent: z.string().optional(),
  details: z.record(z.string(), jsonValueSchema).optional(),
  /** The previous entry's hash, or the chain's start (64 zeros, or the checkpoint after pruning). */
  prevHash: hex64,
  /** sha256(prevHash + canonical JSON of every other field), hex. */
  hash: hex64,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
