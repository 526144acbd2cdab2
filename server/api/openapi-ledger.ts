/** The ledger (台账) routes of /api/openapi.json (see openapi.ts for the rest). */
type Fragment = Record<string, unknown>;

export function ledgerPaths(_parts: { actor: Fragment[]; json: (schema: object) => Fragment; err: (description: string) => Fragment }): Record<string, Fragment> {
  return {};
}
