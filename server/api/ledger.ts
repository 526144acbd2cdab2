/** Ledger (台账) routes (issue 8): to be filled by the ledger work. */
import { Router } from 'express';

export function ledgerRouter(_deps: Record<string, unknown>): Router {
  return Router();
}
