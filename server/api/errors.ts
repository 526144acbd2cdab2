/**
 * One error shape for every route: `{ error: { code, message, details?, params? } }`. Messages come from this file or
 * from validation, never from an internal exception, so no stack trace or driver message reaches a client.
 * `message` is English for logs and scripts; a person reads the error in the UI's language, which the client words
 * from `code` and `params` (the variables of the message, passed in `extra` as `{ params }`) and each field error's
 * `issue` (the zod issue behind it, without the input). A new code needs its text in client/lib/i18n-errors.ts; the
 * client's test enumerates the codes in this source tree and fails on one it cannot word.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ApiError } from '../../shared/api.js';
import type { FieldError } from '../../shared/intake.js';
import type { Logger } from '../log.js';
import { StoreUnavailableError } from '../store/event-store.js';
import { IntakeRejected, SourceRefConflict } from '../ingest.js';
import { AuditUnavailableError } from '../audit/errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldError[],
    /** Extra members of the error object, e.g. the current state with a 409. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The one answer for an object the caller may not see, whether it exists or not: the same bytes for "missing" and
 * "not yours", no id echoed back, so the answer tells nothing about other people's objects (README, Access control).
 */
export function noSuch(what: 'case' | 'alert' | 'archived report' | 'import (imports are kept for an hour)'): HttpError {
  return new HttpError(404, 'not_found', `no such ${what}`);
}

export function invalid(details: FieldError[]): HttpError {
  return new HttpError(400, 'invalid_request', `${details.length} invalid field${details.length === 1 ? '' : 's'}`, details);
}

function body(code: string, message: string, details?: FieldError[], extra?: Record<string, unknown>): ApiError {
  return { error: { ...extra, code, message, ...(details && { details }) } };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(body('not_found', `no route ${req.method} ${req.path}`));
};

/** body-parser reports its failures as errors with a `type`; each becomes the 4xx it stands for. */
const parserErrors: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'the body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'the body is larger than the limit'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'unsupported content encoding'],
  'charset.unsupported': [415, 'unsupported_charset', 'unsupported charset: send UTF-8'],
  'request.aborted': [400, 'request_aborted', 'the request was aborted'],
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      res.status(err.status).json(body(err.code, err.message, err.details, err.extra));
      return;
    }
    if (err instanceof IntakeRejected) {
      const http = invalid(err.errors);
      res.status(http.status).json(body(http.code, http.message, http.details));
      return;
    }
    if (err instanceof SourceRefConflict) {
      const n = err.errors.length;
      const message = `${n} field${n === 1 ? '' : 's'} differ from the event first sent with this source and sourceRef; nothing was stored (send a new sourceRef for a new event)`;
      res.status(409).json(body('source_ref_conflict', message, err.errors));
      return;
    }
    if (err instanceof AuditUnavailableError) {
      log.error({ err, path: req.path }, 'audit log unavailable');
      res.status(503).set('Retry-After', '5').json(body('unavailable', 'the audit log is unavailable, so nothing that must be audited was done; retry later'));
      return;
    }
    if (err instanceof StoreUnavailableError) {
      log.error({ err, path: req.path }, 'store unavailable');
      res.status(503).set('Retry-After', '5').json(body('unavailable', 'the event log is unavailable; nothing was stored; retry later'));
      return;
    }
    const type = (err as { type?: unknown }).type;
    const known = typeof type === 'string' ? parserErrors[type] : undefined;
    if (known) {
      res.status(known[0]).json(body(known[1], known[2]));
      return;
    }
    // The router cannot decode a path param (`/api/cases/%E0%A4`): the URL is the client's mistake, not ours.
    if (err instanceof URIError) {
      res.status(400).json(body('malformed_url', 'the URL holds a malformed percent-encoding'));
      return;
    }
    // Any other error a library marks as the client's (http-errors: a 4xx `status`), without its message.
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
      res.status(status).json(body('bad_request', 'the request could not be read'));
      return;
    }
    log.error({ err, path: req.path }, 'unhandled error');
    res.status(500).json(body('internal', 'internal error'));
  };
}
