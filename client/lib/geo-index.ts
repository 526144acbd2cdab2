/** Look-ups over the district data the wall draws: names and label points by code, communities per street. */
import type { GeoResponse } from '../../shared/api.js';
import { isAlertEvent, type PlacedEvent, type PublicEvent } from '../../shared/events.js';
import type { CategoryInfo, CommunityInfo, LngLat, StreetInfo } from '../../shared/geo.js';

export interface GeoIndex {
  streets: ReadonlyMap<string, StreetInfo>;
  communities: ReadonlyMap<string, CommunityInfo>;
  communitiesOf: ReadonlyMap<string, readonly string[]>;
  categories: ReadonlyMap<string, CategoryInfo>;
  streetCodes: readonly string[];
  communityCodes: readonly string[];
}

export function indexGeo(geo: GeoResponse): GeoIndex {
  const communitiesOf = new Map<string, string[]>();
  for (const street of geo.district.streets) communitiesOf.set(street.code, []);
  for (const c of geo.district.communities) communitiesOf.get(c.streetCode)?.push(c.code);
  return {
    streets: new Map(geo.district.streets.map((s) => [s.code, s])),
    communities: new Map(geo.district.communities.map((c) => [c.code, c])),
    communitiesOf,
    categories: new Map(geo.categories.map((c) => [c.code, c])),
    streetCodes: geo.district.streets.map((s) => s.code),
    communityCodes: geo.district.communities.map((c) => c.code),
  };
}

export function eventArea(event: PlacedEvent): { streetCode: string; communityCode?: string } {
  return isAlertEvent(event) ? { streetCode: event.streetCode, communityCode: event.communityCode } : event.case;
}

/** Where an event happened: its community's label point, else its street's (the wall never gets a case's own point). */
export function eventPoint(event: PlacedEvent, index: GeoIndex): LngLat | null {
  const area = eventArea(event);
  const community = area.communityCode ? index.communities.get(area.communityCode) : undefined;
  return community?.labelPoint ?? index.streets.get(area.streetCode)?.labelPoint ?? null;
}
