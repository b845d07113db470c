import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/shared/index.js';
import { comparePositions, formatPosition, hasReached, parsePosition } from '../../src/eventstore/index.js';

describe('positions', () => {
  it('order by commit, then prepare', () => {
    expect(comparePositions({ commit: 5n, prepare: 900n }, { commit: 6n, prepare: 1n })).toBeLessThan(0);
    expect(comparePositions({ commit: 6n, prepare: 2n }, { commit: 6n, prepare: 1n })).toBeGreaterThan(0);
    expect(comparePositions({ commit: 6n, prepare: 1n }, { commit: 6n, prepare: 1n })).toBe(0);
  });

  it('count a checkpoint as having reached every position at or before it, and none without a checkpoint', () => {
    expect(hasReached({ commit: 6n, prepare: 1n }, { commit: 6n, prepare: 1n })).toBe(true);
    expect(hasReached({ commit: 6n, prepare: 1n }, { commit: 6n, prepare: 2n })).toBe(false);
    expect(hasReached(undefined, { commit: 0n, prepare: 0n })).toBe(false);
  });

  it('round-trip through the wire form, beyond 2^53', () => {
    const position = { commit: 9_007_199_254_740_993n, prepare: 42n };
    expect(formatPosition(position)).toBe('9007199254740993/42');
    expect(parsePosition('9007199254740993/42')).toEqual(position);
  });

  it.each(['', '12', '1/2/3', '-1/2', 'a/b', '1.5/2', '12345678901234567890/1', '9223372036854775808/1'])('refuse "%s" as a validation error', (text) => {
    expect(() => parsePosition(text)).toThrow(ValidationError);
  });
});
