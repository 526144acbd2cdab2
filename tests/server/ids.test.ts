import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../server/domain/ids.js';

describe('uuidv7', () => {
  it('is a version 7 UUID whose first 48 bits are the time, so ids sort by creation time', () => {
    const t = Date.parse('2026-11-22T05:00:00Z');
    const id = uuidv7(t);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
    expect(uuidv7(t + 1) > uuidv7(t)).toBe(true);
    expect(uuidv7(t)).not.toBe(uuidv7(t));
  });
});
