import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../local/aws/event-pattern';

const key = (value: string, ...matchers: unknown[]) => matchesPattern({ key: value }, { key: matchers });

describe('local event pattern matching', () => {
  it('compares a suffix or prefix without regard to case when asked to', () => {
    const jpg = { suffix: { 'equals-ignore-case': '.jpg' } };
    expect(key('set/a.Jpg', jpg)).toBe(true);
    expect(key('set/a.JPG', jpg)).toBe(true);
    expect(key('set/a.jpeg', jpg)).toBe(false);
    const incoming = { prefix: { 'equals-ignore-case': 'Incoming/' } };
    expect(key('INCOMING/set/a.jpg', incoming)).toBe(true);
    expect(key('outgoing/set/a.jpg', incoming)).toBe(false);
  });

  it('keeps plain prefix, suffix and wildcard case-sensitive', () => {
    expect(key('set/a.Jpg', { suffix: '.jpg' })).toBe(false);
    expect(key('Set/a.jpg', { prefix: 'set/' })).toBe(false);
    expect(key('set/a.Jpg', { wildcard: 'set/*.jpg' })).toBe(false);
    expect(key('set/a.jpg', { wildcard: 'set/*.jpg' })).toBe(true);
  });

  it('excludes with anything-but, including its prefix, suffix and ignore-case forms', () => {
    expect(key('a.txt', { 'anything-but': { suffix: '.txt' } })).toBe(false);
    expect(key('a.jpg', { 'anything-but': { suffix: '.txt' } })).toBe(true);
    expect(key('tmp/a', { 'anything-but': { prefix: 'tmp/' } })).toBe(false);
    expect(key('DONE', { 'anything-but': { 'equals-ignore-case': ['done'] } })).toBe(false);
    expect(key('b', { 'anything-but': ['a', 'c'] })).toBe(true);
  });

  it('matches numeric ranges', () => {
    const size = (n: number, ...range: unknown[]) =>
      matchesPattern({ size: n }, { size: [{ numeric: range }] });
    expect(size(1, '>', 0)).toBe(true);
    expect(size(0, '>', 0)).toBe(false);
    expect(size(5, '>=', 5, '<', 10)).toBe(true);
    expect(size(10, '>=', 5, '<', 10)).toBe(false);
  });

  it('refuses an operator, argument or comparison it does not know instead of silently not matching', () => {
    expect(() => key('a', { cidr: '10.0.0.0/8' })).toThrow(/cidr/);
    expect(() => key('a', { suffix: { 'ends-with': '.jpg' } })).toThrow(/ends-with/);
    expect(() => key('a', { prefix: 5 })).toThrow(/prefix/);
    expect(() => key('a', { wildcard: ['a*'] })).toThrow(/wildcard/);
    expect(() => key('a', { prefix: 'a', suffix: 'b' })).toThrow(/one operator/);
    expect(() => matchesPattern({ size: 1 }, { size: [{ numeric: ['!=', 0] }] })).toThrow(/!=/);
    expect(() => matchesPattern({ key: 'a' }, { $or: [{ key: ['a'] }] })).toThrow(/\$or/);
  });
});
