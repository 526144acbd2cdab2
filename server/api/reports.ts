/** Reports routes (issue 8): to be filled by the reports work. */
import { Router } from 'express';

export function reportsRouter(_deps: Record<string, unknown>): Router {
  return Router();
}
