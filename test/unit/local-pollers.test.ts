import {
  batchIsDue,
  IDLE_POLL_MAX_MS,
  nextPollDelay,
  WOKEN_READ_DELAY_MS,
  wokenDelay,
} from '../../lib/local/streams';

describe('the local stream poller’s pause between reads', () => {
  test.each([
    {
      name: 'first pause: the spec’s interval',
      previous: undefined,
      interval: 200,
      records: false,
      next: 200,
    },
    { name: 'idle: doubles', previous: 200, interval: 200, records: false, next: 400 },
    { name: 'idle: doubles again', previous: 400, interval: 200, records: false, next: 800 },
    { name: 'idle: doubles up to the cap', previous: 3200, interval: 200, records: false, next: 6400 },
    { name: 'idle: capped', previous: 6400, interval: 200, records: false, next: IDLE_POLL_MAX_MS },
    {
      name: 'idle: stays at the cap',
      previous: IDLE_POLL_MAX_MS,
      interval: 200,
      records: false,
      next: IDLE_POLL_MAX_MS,
    },
    {
      name: 'records: back to the interval',
      previous: IDLE_POLL_MAX_MS,
      interval: 200,
      records: true,
      next: 200,
    },
    { name: 'an interval above the cap is kept', previous: 9000, interval: 9000, records: false, next: 9000 },
  ])('$name', ({ previous, interval, records, next }) => {
    expect(nextPollDelay(previous, interval, records)).toBe(next);
  });
});

describe('a write of this process shortens an idle poller’s pause', () => {
  test.each([
    { name: 'a long idle pause: cut to the woken delay', remaining: 7000, next: WOKEN_READ_DELAY_MS },
    { name: 'a pause already shorter (a busy stream’s interval): kept', remaining: 300, next: 300 },
  ])('$name', ({ remaining, next }) => {
    expect(wokenDelay(remaining)).toBe(next);
  });
});

describe('when the local stream poller hands a gathered batch over', () => {
  const base = {
    size: 10,
    batchSize: 100,
    sinceMs: 1_000,
    nowMs: 1_500,
    windowMs: 1_000,
    shardClosed: false,
    retrying: false,
  };
  test.each([
    { name: 'within the window: held', change: {}, due: false },
    { name: 'the window has passed: due', change: { nowMs: 2_000 }, due: true },
    { name: 'full: due at once', change: { size: 100 }, due: true },
    { name: 'a closed shard: due at once', change: { shardClosed: true }, due: true },
    { name: 'a retry: due at once', change: { retrying: true }, due: true },
    { name: 'no window: due at once', change: { windowMs: 0 }, due: true },
    { name: 'nothing gathered: never', change: { size: 0, nowMs: 9_000 }, due: false },
  ])('$name', ({ change, due }) => {
    expect(batchIsDue({ ...base, ...change })).toBe(due);
  });
});
