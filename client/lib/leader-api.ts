/**
 * What the leader view reads over HTTP: its overview, the heat history for the replay, an area's risk explanation,
 * and (once, first) the district's geography and the server's time zone.
 */
import type { GeoResponse } from '../../shared/api.js';
import type { DepartmentInfo } from '../../shared/geo.js';
import type { HeatHistory, LeaderOverview } from '../../shared/risk.js';
import { api, getJson, type Loaded } from './api.js';
import { indexGeo, type GeoIndex } from './geo-index.js';

export const leaderApi = {
  overview: (signal?: AbortSignal) => getJson<LeaderOverview>('/api/leader/overview', signal),
  heatHistory: (days: number, signal?: AbortSignal) => getJson<HeatHistory>(`/api/leader/heat-history?days=${days}`, signal),
  risk: api.risk,
};

export interface LeaderSetup {
  geo: GeoResponse;
  index: GeoIndex;
  departments: ReadonlyMap<string, DepartmentInfo>;
  tzOffsetMinutes: number;
}

export async function loadLeaderSetup(signal?: AbortSignal): Promise<Loaded<LeaderSetup>> {
  const [geo, config] = await Promise.all([api.geo(signal), api.clientConfig(signal)]);
  if (!geo.ok) return geo;
  if (!config.ok) return config;
  return {
    ok: true,
    data: {
      geo: geo.data,
      index: indexGeo(geo.data),
      departments: new Map(geo.data.departments.map((d) => [d.id, d])),
      tzOffsetMinutes: config.data.tzOffsetMinutes,
    },
  };
}
