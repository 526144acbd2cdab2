/**
 * Every error a server can answer is worded in the UI's language from its code and params, never the server's English
 * text. The codes are enumerated from the server's source (every way a route answers an error), not listed here: a
 * new code the client cannot word fails this test. Field errors of validation are worded by zod's locale for the
 * issue the server sends, checked over generated hostile intake bodies; English plurals follow Intl.PluralRules.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldErrorsText, knownErrorCodes, serverErrorOf, serverErrorText } from '../../client/lib/error-text.js';
import { messages, translate, type Locale, type MessageKey } from '../../client/lib/i18n.js';
import { intakeEventSchema, zodFieldErrors } from '../../shared/intake.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CJK = /[\u3400-\u9fff]/;
const SENTINEL = 'SERVER ENGLISH TEXT';

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

/** Every error code the server can answer, found in its source by the ways it builds an error body. */
function serverCodes(): Map<string, string> {
  const patterns = [
    /new HttpError\(\s*[^,]+,\s*'([a-z_]+)'/g, // thrown by routes
    /\[\d{3}, '([a-z_]+)'/g, // body-parser and socket errors mapped to [status, code]
    /\bbody\('([a-z_]+)'/g, // the error handler's own answers
    /error: \{ code: '([a-z_]+)'/g, // answers written directly (starting, metrics, rate limit, socket acks)
    /ok: false, code: '([a-z_]+)'/g, // command outcomes the routes pass on as code
    /^\s*code: '([a-z_]+)',$/gm, // command outcomes built over several lines
    /\brefuse\('([a-z_]+)'/g, // lifecycle refusals (forbidden, invalid_transition, invalid)
    /\brefusal\('([a-z_]+)'/g, // socket refusals
    /reason: '([a-z_]+)', message/g, // alert decisions, answered as their reason
  ];
  const found = new Map<string, string>();
  for (const file of [...sources('server'), ...sources('shared')]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) if (!found.has(m[1]!)) found.set(m[1]!, path.relative(ROOT, file));
  }
  // A refusal status table names codes too (the dispatch route's): take its keys.
  const dispatch = fs.readFileSync(path.join(ROOT, 'server/api/dispatch.ts'), 'utf8');
  const table = /refusalStatus = \{([^}]*)\}/.exec(dispatch)?.[1] ?? '';
  for (const m of table.matchAll(/([a-z_]+):/g)) if (!found.has(m[1]!)) found.set(m[1]!, 'server/api/dispatch.ts');
  return found;
}

const t = (locale: Locale) => (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);

describe('server error codes', () => {
  const codes = serverCodes();

  it('finds the codes the server answers (the enumeration itself works)', () => {
    for (const code of ['not_found', 'invalid_request', 'version_conflict', 'invalid_transition', 'pdf_unavailable', 'locked', 'rate_limited', 'malformed_json', 'cross_origin_refused', 'invalid_rows', 'starting', 'internal']) {
      expect([...codes.keys()], code).toContain(code);
    }
    expect(codes.size).toBeGreaterThan(30);
  });

  it('words every one of them in Chinese and in English, never with the server\'s text', () => {
    const missing = [...codes].filter(([code]) => !knownErrorCodes.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing, 'codes the client cannot word: add them to client/lib/i18n-errors.ts').toEqual([]);
    for (const code of codes.keys()) {
      const params = { minutes: 3, seconds: 1, perMinute: 60, max: 1, got: 2, errorRows: 1, rows: 2, username: 'duty9', n: 1 };
      const zh = serverErrorText({ status: 400, code, message: SENTINEL, params }, t('zh'))!;
      const en = serverErrorText({ status: 400, code, message: SENTINEL, params }, t('en'))!;
      expect(zh, code).not.toContain(SENTINEL);
      expect(en, code).not.toContain(SENTINEL);
      expect(zh, code).toMatch(CJK);
      expect(en.replace('duty9', ''), code).not.toMatch(CJK);
      // Every placeholder is filled.
      expect(zh, code).not.toMatch(/\{\w+/);
      expect(en, code).not.toMatch(/\{\w+/);
    }
  });

  it('falls back to the server\'s text only for a code it does not know', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z_]{1,20}$/), fc.string({ minLength: 1 }), (code, message) => {
        fc.pre(!knownErrorCodes.has(code));
        expect(serverErrorText({ code, message }, t('zh'))).toBe(message);
      }),
    );
    expect(serverErrorText({ code: 'pdf_unavailable', message: 'PDF needs Chromium (apt-get install chromium); the HTML report works without it' }, t('zh'))).toBe(messages.zh['apiError.pdf_unavailable']);
  });

  it('reads only the error members it knows from a hostile body', () => {
    fc.assert(
      fc.property(fc.anything(), (anything) => {
        const read = serverErrorOf({ error: anything });
        for (const key of Object.keys(read)) expect(['code', 'message', 'params', 'details']).toContain(key);
        expect(() => serverErrorText({ status: 400, ...read }, t('zh'))).not.toThrow();
      }),
    );
  });
});

describe('field errors, worded by zod\'s locale', () => {
  it('words every issue of a hostile intake body in the UI\'s language', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('type', 'source', 'sourceRef', 'title', 'severity', 'peopleInvolved', 'reportedAt', 'category', 'streetCode', 'communityCode', 'kind', 'extra'), fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()))), (raw) => {
        const parsed = intakeEventSchema.safeParse({ type: 'case.reported', ...raw });
        if (parsed.success) return;
        const details = JSON.parse(JSON.stringify(zodFieldErrors(parsed.error))) as ReturnType<typeof zodFieldErrors>;
        const zh = fieldErrorsText(details, t('zh'));
        const en = fieldErrorsText(details, t('en'));
        details.forEach((d, i) => {
          expect(d.issue?.code, d.message).toBeTypeOf('string');
          expect(d.issue, 'the issue never carries the input back').not.toHaveProperty('input');
          if (d.issue?.code !== 'custom') {
            expect(zh[i], d.message).toMatch(CJK);
            expect(en[i]!.replace(d.path, ''), d.message).not.toMatch(CJK);
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('English plurals', () => {
  const plural = Object.entries(messages.en).filter(([, text]) => /\{\w+, plural,/.test(text));

  it('uses the singular for one and the plural otherwise', () => {
    expect(plural.length).toBeGreaterThan(3);
    for (const [key, text] of plural) {
      const names = [...text.matchAll(/\{(\w+)(?:, plural,)?/g)].map((m) => m[1]!);
      const all = (n: number) => Object.fromEntries(names.map((name) => [name, n]));
      const one = translate('en', key as MessageKey, all(1));
      const two = translate('en', key as MessageKey, all(2));
      expect(one, key).not.toEqual(two.replace(/2/g, '1'));
      expect(one, key).not.toMatch(/\{/);
    }
  });

  it('never says "1 <plural noun>" in any English message given 1', () => {
    for (const [key, text] of Object.entries(messages.en)) {
      const names = [...text.matchAll(/\{(\w+)/g)].map((m) => m[1]!);
      if (!names.length) continue;
      const out = translate('en', key as MessageKey, Object.fromEntries(names.map((n) => [n, 1])));
      expect(out, key).not.toMatch(/(^|[^\d.])1 (cases|people|fields|rows|events|seconds|minutes|hours|days|imports|entries|departments|alerts|whistles|items|characters|days|petitions|columns|entries)\b/);
    }
  });
});
