import { estimateCost } from '../../../functions/create-environment/cost';
import { costAssumptions, priceTable } from '../../../functions/shared/prices';
import { aRequest } from '../fixtures';

describe('estimateCost', () => {
  it.each([
    [
      'the defaults',
      {
        instanceType: 't2.micro',
        dbInstanceClass: 'db.t3.micro',
        dbAllocatedStorage: 100,
        desiredCapacity: 2,
      },
      false,
      [16.94, 8.47, 3.84, 26.28, 23.0, 16.43, 5.84, 65.7, 43.8, 0.23],
      210.53,
    ],
    [
      'three t3.small, db.t3.small and one NAT gateway',
      {
        instanceType: 't3.small',
        dbInstanceClass: 'db.t3.small',
        dbAllocatedStorage: 50,
        desiredCapacity: 3,
      },
      true,
      [45.55, 15.18, 5.44, 52.56, 11.5, 16.43, 5.84, 32.85, 43.8, 0.23],
      229.38,
    ],
  ])(
    'prices %s line by line from the price table',
    (_case, sizes, singleNatGateway, lines, total) => {
      const request = aRequest({ singleNatGateway });
      const estimate = estimateCost({
        ...request,
        sizes: { ...request.sizes, minSize: 1, maxSize: 4, ...sizes },
      });

      expect(estimate.lines.map((line) => line.monthly)).toEqual(lines);
      expect(estimate.monthlyTotal).toBe(total);
    }
  );

  it('adds its lines up to the total exactly', () => {
    const estimate = estimateCost(aRequest());
    const cents = estimate.lines.reduce(
      (sum, line) => sum + Math.round(line.monthly * 100),
      0
    );

    expect(Math.round(estimate.monthlyTotal * 100)).toBe(cents);
  });

  it('says which prices it used and what it assumed', () => {
    const estimate = estimateCost(aRequest());

    expect(estimate).toMatchObject({
      currency: 'USD',
      region: 'us-east-1',
      pricesAsOf: priceTable.asOf,
      assumptions: costAssumptions,
    });
  });

  it('names an instance type the price table lacks', () => {
    const request = aRequest();

    expect(() =>
      estimateCost({
        ...request,
        sizes: { ...request.sizes, instanceType: 'm7g.metal' },
      })
    ).toThrow('the price table has no price for m7g.metal');
  });
});
