/** Response shapes of the read API, shared by server and client. */
import type { CategoryInfo, DepartmentInfo, DistrictInfo, GeoBundle } from './geo.js';
import type { CaseKind, CaseSource, CaseStatus, Outcome } from './vocabulary.js';

/** GET /api/geo */
export interface GeoResponse {
  district: DistrictInfo;
  geo: GeoBundle;
  categories: CategoryInfo[];
  departments: DepartmentInfo[];
}

/** GET /api/client-config: settings the wall needs, resolved once on the server. */
export interface ClientConfig {
  tourSeconds: number;
  tileUrl: string | null;
  tzOffsetMinutes: number;
  halfLifeHours: number;
}

/** A case as any audience may see it: no title, description or parties. */
export interface CaseSummary {
  id: string;
  seq: number;
  kind: CaseKind;
  category: string;
  source: CaseSource;
  streetCode: string;
  communityCode: string;
  severity: number;
  peopleInvolved: number;
  weight: number;
  reportedAt: string;
  status: CaseStatus;
  resolvedAt?: string;
  outcome?: Outcome;
}

/** GET /api/cases */
export interface CasePage {
  items: CaseSummary[];
  total: number;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** GET /api/areas/:code/heat: why an area's heat is what it is. */
export interface HeatExplanation {
  code: string;
  level: 'street' | 'community';
  heat: number;
  parts: { openCases: number; recentEvents: number; alerts: number };
  topCases: Array<CaseSummary & { contribution: number }>;
  byCategory: Array<{ category: string; open: number; contribution: number }>;
}

export interface ApiError {
  error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}
