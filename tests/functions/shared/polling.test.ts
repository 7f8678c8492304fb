import {
  boundMinutes,
  firstWaitOf,
  intervalBefore,
  isPastBound,
  nextPoll,
  type PollPlan,
  pollPlans,
  spreadSeconds,
  type WaitName,
} from '../../../functions/shared/polling';

const plan: PollPlan = {
  firstSeconds: 10,
  intervalSeconds: 20,
  backoff: 2,
  maxIntervalSeconds: 60,
  boundSeconds: 150,
};

describe('polling', () => {
  describe('intervalBefore', () => {
    it.each([
      [0, 10],
      [1, 20],
      [2, 40],
      [3, 60],
      [4, 60],
      [20, 60],
    ])('waits before look %i for %i seconds', (attempt, seconds) => {
      // Act
      const interval = intervalBefore(plan, attempt);

      // Assess
      expect(interval).toBe(seconds);
    });

    it('rounds grown intervals to whole seconds', () => {
      // Prepare
      const uneven = { ...plan, intervalSeconds: 15, backoff: 1.5 };

      // Act
      const intervals = [1, 2, 3].map((look) => intervalBefore(uneven, look));

      // Assess
      expect(intervals).toEqual([15, 23, 34]);
    });

    it('waits long before the first look and briefly after it', () => {
      // Act
      const intervals = [0, 1, 2].map((look) =>
        intervalBefore(pollPlans.data, look)
      );

      // Assess
      expect(intervals).toEqual([990, 10, 11]);
    });

    it('takes the first look at once when the workflow does', () => {
      // Prepare
      const atOnce = { ...plan, atOnce: true };

      // Act
      const intervals = [0, 1, 2, 3].map((look) =>
        intervalBefore(atOnce, look)
      );

      // Assess
      expect(intervals).toEqual([0, 10, 20, 40]);
    });

    it.each<WaitName>(['database', 'targets'])(
      'looks at the %s at once, as the workflow does',
      (wait) => {
        // Act
        const first = intervalBefore(pollPlans[wait], 0);

        // Assess
        expect(first).toBe(0);
      }
    );
  });

  describe('isPastBound', () => {
    it.each([
      // 10 + 20 + 40 + 60 = 130 is within 150; one more 60 passes it.
      [3, false],
      [4, true],
      [9, true],
    ])('at look %i is %s', (attempt, past) => {
      // Act
      const result = isPastBound(plan, attempt);

      // Assess
      expect(result).toBe(past);
    });

    it('allows a look that reaches the bound exactly', () => {
      // Prepare: 10 + 20 + 40 = 70
      const exact = { ...plan, boundSeconds: 70 };

      // Act
      const results = [isPastBound(exact, 2), isPastBound(exact, 3)];

      // Assess
      expect(results).toEqual([false, true]);
    });
  });

  describe('nextPoll', () => {
    it('counts the look and waits the next interval', () => {
      // Act
      const state = nextPoll(plan, 1);

      // Assess
      expect(state).toEqual({ ready: false, attempt: 2, waitSeconds: 40 });
    });
  });

  describe('boundMinutes', () => {
    it.each<[WaitName, number]>([
      ['network', 30],
      ['data', 90],
      ['compute', 45],
      ['delete', 60],
      ['database', 30],
      ['targets', 20],
    ])('gives the %s wait %i minutes', (wait, minutes) => {
      // Act
      const result = boundMinutes(pollPlans[wait]);

      // Assess
      expect(result).toBe(minutes);
    });
  });

  describe('pollPlans', () => {
    it.each(Object.keys(pollPlans) as WaitName[])(
      'lets the %s wait look more than once before its bound',
      (wait) => {
        // Act
        const secondLookPast = isPastBound(pollPlans[wait], 1);

        // Assess
        expect(secondLookPast).toBe(false);
      }
    );
  });
});

describe('spreadSeconds', () => {
  it('gives the same name the same offset, within the interval', () => {
    const plan = pollPlans.data;

    expect(spreadSeconds(plan, 'haven-demo-data')).toBe(
      spreadSeconds(plan, 'haven-demo-data')
    );
    expect(spreadSeconds(plan, 'haven-demo-data')).toBeLessThan(
      plan.intervalSeconds
    );
  });

  it('spreads 25 environments over every second of the interval', () => {
    const offsets = new Set(
      Array.from({ length: 25 }, (_, i) =>
        spreadSeconds(pollPlans.data, `haven-env${i}-data`)
      )
    );

    expect([...offsets].sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('adds the offset to the first wait only', () => {
    expect(firstWaitOf(pollPlans.network, 'haven-demo-network')).toBe(159);
    expect(intervalBefore(pollPlans.network, 1)).toBe(10);
  });
});
