/** Loads data/dispatch (SLA table, routing rules) and the holiday calendars, failing at start-up with every problem named. */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { formatPath } from '../shared/intake.js';
import { workingCalendar } from '../shared/deadlines.js';
import { loadHolidayCalendars } from './calendar-data.js';
import { dataRoot, type DistrictData } from './district-data.js';
import { routingSchema, slaTableSchema, type DispatchPolicy } from './domain/dispatch-rules.js';

export class DispatchDataError extends Error {
  override name = 'DispatchDataError';
}

function readValid<T>(file: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DispatchDataError(`${path.relative(process.cwd(), file)}: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${formatPath(i.path) || '(file)'}: ${i.message}`).join('\n');
    throw new DispatchDataError(`${path.relative(process.cwd(), file)} is invalid:\n${problems}`);
  }
  return parsed.data;
}

export function loadDispatchPolicy(district: DistrictData, tzOffsetMinutes: number, root = dataRoot): DispatchPolicy {
  const dir = path.join(root, 'dispatch');
  const sla = readValid(path.join(dir, 'sla.json'), slaTableSchema);
  const routing = readValid(path.join(dir, 'routing.json'), routingSchema);
  const known = new Set(district.departments.map((d) => d.id));
  const unknown = routing.rules.flatMap((r) => [r.lead, ...r.assist].filter((id): id is string => !!id && id !== 'street' && !known.has(id)).map((id) => `rule ${r.id}: unknown department "${id}"`));
  for (const c of Object.keys(sla.categories)) if (!district.category(c)) unknown.push(`sla.json: unknown category "${c}"`);
  if (unknown.length) throw new DispatchDataError(`data/dispatch names things ${district.info.name.zh} does not have:\n  ${unknown.join('\n  ')}`);
  const calendars = loadHolidayCalendars();
  return { sla, routing, calendar: workingCalendar(calendars), calendarYears: calendars.map((c) => ({ year: c.year, status: c.status })), tzOffsetMinutes };
}

/** What an operator should hear at start-up about the holiday calendar of a year, if anything. */
export function calendarWarning(policy: DispatchPolicy, year: number): string | undefined {
  const entry = policy.calendarYears.find((c) => c.year === year);
  if (!entry) return `no holiday calendar for ${year} in data/calendar: deadlines that year count Monday to Friday only`;
  if (entry.status === 'provisional') {
    return `the ${year} holiday calendar is provisional (statutory days only, no 调休 make-up days): update data/calendar/${year}.json from the State Council notice`;
  }
  return undefined;
}
