/**
 * What both consoles load once before anything else: the district's names (streets, communities, categories,
 * departments) and the server's settings. Plus the console clock's correction from the server's `Date` header.
 */
import type { CategoryInfo, DepartmentInfo } from '../../shared/geo.js';
import { api, type Loaded } from './api.js';
import type { ServerClock } from './clock.svelte.js';
import { placeLabel } from './console-format.js';
import { indexGeo, type GeoIndex } from './geo-index.js';
import { locale } from './locale.svelte.js';

export interface ConsoleSetup {
  index: GeoIndex;
  departments: DepartmentInfo[];
  departmentById: ReadonlyMap<string, DepartmentInfo>;
  categories: CategoryInfo[];
  tzOffsetMinutes: number;
}

export async function loadConsoleSetup(signal?: AbortSignal): Promise<Loaded<ConsoleSetup>> {
  const [geo, config] = await Promise.all([api.geo(signal), api.clientConfig(signal)]);
  if (!geo.ok) return geo;
  if (!config.ok) return config;
  const departments = geo.data.departments;
  return {
    ok: true,
    data: {
      index: indexGeo(geo.data),
      departments,
      departmentById: new Map(departments.map((d) => [d.id, d])),
      categories: geo.data.categories,
      tzOffsetMinutes: config.data.tzOffsetMinutes,
    },
  };
}

/**
 * Countdowns run against the server's clock, not a desk PC's. The `Date` header has whole seconds, so the server's
 * time is taken as the middle of that second and the clock moves only when it is off by more than that error.
 */
export function clockCorrector(clock: ServerClock): (serverMs: number, receivedAt: number) => void {
  return (serverMs, receivedAt) => {
    const estimate = serverMs + 500;
    const offset = clock.read() - Date.now();
    if (Math.abs(estimate - receivedAt - offset) > 1500) clock.correct(new Date(estimate).toISOString(), receivedAt);
  };
}

/** Names by code in the current language (reactive: they follow `locale`). */
export interface ConsoleNames {
  dept(id: string): string;
  deptFull(id: string): string;
  place(streetCode: string, communityCode: string): string;
  street(code: string): string;
  category(code: string): string;
}

export function consoleNames(setup: ConsoleSetup): ConsoleNames {
  const { index, departmentById } = setup;
  const street = (code: string) => locale.street(index.streets.get(code)) || code;
  return {
    dept: (id) => locale.name(departmentById.get(id)?.short) || id,
    deptFull: (id) => locale.name(departmentById.get(id)?.name) || id,
    place: (streetCode, communityCode) => placeLabel({ street, community: (code) => index.communities.get(code)?.name }, streetCode, communityCode),
    street,
    category: (code) => locale.name(index.categories.get(code)?.name) || code,
  };
}
