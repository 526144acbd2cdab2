/**
 * Loads the holiday calendars (one file per year, data/calendar/<year>.json). A bad file must stop start-up: a silently
 * skipped year would quietly turn every holiday into a working day and make deadlines wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from './app-root.js';
import { type HolidayCalendarFile, holidayCalendarFileSchema } from '../shared/deadlines.js';

export const calendarDir = path.join(appRoot, 'data', 'calendar');

export class CalendarDataError extends Error {
  override name = 'CalendarDataError';
}

export function loadHolidayCalendars(dir = calendarDir): HolidayCalendarFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    throw new CalendarDataError(`cannot read holiday calendars in ${dir}: ${(e as Error).message}`);
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CalendarDataError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = holidayCalendarFileSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
      throw new CalendarDataError(`${file} is not a valid holiday calendar:\n${issues.join('\n')}`);
    }
    // Lookups go by year, so a misnamed file would be easy to overlook and hard to find.
    if (name !== `${parsed.data.year}.json`) {
      throw new CalendarDataError(`${file} holds year ${parsed.data.year}; name it ${parsed.data.year}.json`);
    }
    return parsed.data;
  });
}
