import { median, percentile } from './stats';

describe('benchmark statistics', () => {
  it('a median of an even count is the mean of the two middle values, so two rounds are not read as the better one', () => {
    expect(median([2.48, 1.85])).toBeCloseTo(2.165, 10);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('a median of an odd count is the middle value, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('a percentile is nearest-rank over sorted values', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile([], 50)).toBeNaN();
  });
});
