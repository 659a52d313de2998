import { describe, expect, it } from 'vitest';
import { countsByMinute, lastHour } from './metrics';

const at = (hhmm: string) => Date.parse(`2026-11-29T${hhmm}:00.000Z`);

describe('queue metrics by minute', () => {
  it('puts BullMQ points on the minutes before the last recorded finish, not before now', () => {
    // Jobs finished at 09:00 (50 failures); the last write was a finish at 09:01:10, nothing since.
    const failed = { meta: { count: 51, prevTS: at('09:01') + 10_000, prevCount: 50 }, data: [50, 0] };
    expect([...countsByMinute(failed)]).toEqual([
      [at('09:01'), 1],
      [at('09:00'), 50],
      [at('08:59'), 0],
    ]);
    // Read at 09:30: the failures are half an hour back, and the last minutes were quiet.
    const hour = lastHour(null, failed, at('09:30') + 5_000);
    expect(hour).toHaveLength(60);
    expect(hour.at(-1)).toMatchObject({ at: at('09:29'), failed: 0, failureRate: null });
    expect(hour.find((m) => m.at === at('09:00'))).toMatchObject({ failed: 50, failureRate: 1 });
    // Read at 14:00, nothing of that hour is left in the last one.
    expect(lastHour(null, failed, at('14:00')).every((m) => m.failed === 0)).toBe(true);
  });

  it('leaves out the minute still running and has nothing for a queue that never finished a job', () => {
    const completed = { meta: { count: 10, prevTS: at('10:05') + 1_000, prevCount: 7 }, data: [7] };
    const hour = lastHour(completed, null, at('10:05') + 30_000);
    expect(hour.at(-1)).toMatchObject({ at: at('10:04'), completed: 7 });
    expect(lastHour(null, null, Date.now())).toEqual([]);
    expect(lastHour({ meta: { count: 0, prevTS: 0, prevCount: 0 }, data: [] }, null, Date.now())).toEqual([]);
  });
});
