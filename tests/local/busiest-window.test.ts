import { busiestWindow } from '../../local/busiest-window';

describe('busiestWindow', () => {
  it('counts across the boundary of a whole second', () => {
    // Act
    const busiest = busiestWindow([0.2, 0.9, 1.1, 1.8, 3], 1);

    // Assess: 0.9 to 1.8 is within one second, as is 0.2 to 1.1.
    expect(busiest).toBe(3);
  });

  it('leaves out the call a whole window after the first', () => {
    // Act
    const busiest = busiestWindow([0, 1000, 2000], 1000);

    // Assess
    expect(busiest).toBe(1);
  });

  it('takes the times in any order, and none', () => {
    // Assess
    expect(busiestWindow([5, 1, 5.5, 2], 1)).toBe(2);
    expect(busiestWindow([], 1)).toBe(0);
  });
});
