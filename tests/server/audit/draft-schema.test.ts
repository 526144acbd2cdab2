/** shared/audit.ts: what a draft may hold, and how text an attacker chooses is cleaned rather than refused. */
import { describe, expect, it } from 'vitest';
import { AUDIT_USER_AGENT_MAX, auditDraftSchema, cleanText } from '../../../shared/audit.js';

const base = { actor: { kind: 'user', id: 'u1' }, action: 'case.unmasked', outcome: 'ok', ip: '::1' } as const;

describe('audit drafts', () => {
  it('cuts text by code point, never through a surrogate pair, and replaces NUL and lone surrogates', () => {
    const emoji = '😀'.repeat(AUDIT_USER_AGENT_MAX + 5);
    expect(Array.from(cleanText(emoji, AUDIT_USER_AGENT_MAX))).toHaveLength(AUDIT_USER_AGENT_MAX);
    expect(cleanText(emoji, AUDIT_USER_AGENT_MAX)).not.toMatch(/\p{Cs}/u);
    expect(cleanText('a\u0000b\ud83dc', 10)).toBe('a\uFFFDb\uFFFDc');
    expect(cleanText('纠纷', 10)).toBe('纠纷');
  });

  it('drops unknown keys (a stray password on the actor is not stored)', () => {
    const parsed = auditDraftSchema.parse({ ...base, actor: { ...base.actor, password: 'x' }, seq: 5, hash: 'y' });
    expect(parsed).toEqual(base);
  });

  it('keeps details as a plain JSON copy', () => {
    const details = { reason: '联系当事人', ids: [1, 2], nested: { ok: true, none: null } };
    const parsed = auditDraftSchema.parse({ ...base, details });
    expect(parsed.details).toEqual(details);
    expect(parsed.details).not.toBe(details);
  });

  it.each([
    [{ Password: 'x' }, /secret/],
    [{ api_key: 'x' }, /secret/],
    [{ 'refresh-token': 'x' }, /secret/],
    [{ deep: { list: [{ authorization: 'Bearer x' }] } }, /secret/],
    [{ when: new Date() }, /plain objects/],
    [{ n: Number.POSITIVE_INFINITY }, /finite/],
    [{ big: 1n }, /bigint/],
    [{ a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } }, /deeper/],
    ['text', /JSON object/],
  ])('refuses details %o', (details, message) => {
    const parsed = auditDraftSchema.safeParse({ ...base, details });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(message);
  });

  it('keeps a member named __proto__ as data', () => {
    const parsed = auditDraftSchema.parse({ ...base, details: JSON.parse('{"__proto__": {"x": 1}}') as object });
    expect(Object.keys(parsed.details!)).toEqual(['__proto__']);
    expect(JSON.stringify(parsed.details)).toBe('{"__proto__":{"x":1}}');
  });

  it('allows ids that merely mention a key', () => {
    expect(auditDraftSchema.safeParse({ ...base, action: 'apikey.created', details: { apiKeyId: 'k-1', tokenCount: 3 } }).success).toBe(true);
  });
});
