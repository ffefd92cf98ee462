import { BoundedMemo } from '../../functions/common/bounded-memo';

describe('BoundedMemo', () => {
  it('computes a key once and returns the kept result after', () => {
    const memo = new BoundedMemo<number>(10);
    const compute = jest.fn((key: string) => key.length);
    expect(memo.get('abc', compute)).toBe(3);
    expect(memo.get('abc', compute)).toBe(3);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('holds at most its bound, dropping the oldest result first', () => {
    const memo = new BoundedMemo<string>(2);
    const compute = jest.fn((key: string) => key.toUpperCase());
    memo.get('a', compute);
    memo.get('b', compute);
    memo.get('c', compute);
    expect(memo.size).toBe(2);
    memo.get('b', compute);
    memo.get('c', compute);
    expect(compute).toHaveBeenCalledTimes(3);
    memo.get('a', compute);
    expect(compute).toHaveBeenCalledTimes(4);
  });

  it('forgets everything on clear', () => {
    const memo = new BoundedMemo<number>(5);
    const compute = jest.fn(() => 1);
    memo.get('x', compute);
    memo.clear();
    memo.get('x', compute);
    expect(compute).toHaveBeenCalledTimes(2);
  });
});
