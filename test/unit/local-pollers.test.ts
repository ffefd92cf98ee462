import { IDLE_POLL_MAX_MS, nextPollDelay } from '../../lib/local/streams';

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
    { name: 'idle: capped', previous: 800, interval: 200, records: false, next: IDLE_POLL_MAX_MS },
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
    {
      name: 'a 500 ms interval reaches the cap in one step',
      previous: 500,
      interval: 500,
      records: false,
      next: 1000,
    },
    { name: 'an interval above the cap is kept', previous: 1500, interval: 1500, records: false, next: 1500 },
  ])('$name', ({ previous, interval, records, next }) => {
    expect(nextPollDelay(previous, interval, records)).toBe(next);
  });
});
