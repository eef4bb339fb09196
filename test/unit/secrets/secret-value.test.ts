import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InternalError } from '#core/errors.ts';
import { SecretValue } from '#core/secrets/ports.ts';

const CANARY = 'canary-3f1d2b7e-secret-value';

describe('SecretValue', () => {
  it('shows [secret] to String, templates, JSON and util.inspect, never the bytes', () => {
    const value = SecretValue.fromUtf8(CANARY);
    const rendered = [
      String(value),
      `${value}`,
      JSON.stringify({ value }),
      inspect(value),
      inspect({ nested: { value } }, { depth: 10, showHidden: true }),
      [value].join(),
    ];
    for (const text of rendered) expect(text).not.toContain(CANARY);
    expect(String(value)).toBe('[secret]');
    expect(JSON.stringify({ value })).toBe('{"value":"[secret]"}');
    expect(inspect(value)).toBe('[secret]');
  });

  it('lends its bytes through use() and gives an independent copy through bytes()', () => {
    const value = SecretValue.fromUtf8('abc');
    expect(value.use((b) => Buffer.from(b).toString())).toBe('abc');
    const copy = value.bytes();
    copy.fill(0);
    expect(value.use((b) => Buffer.from(b).toString())).toBe('abc');
    expect(value.byteLength).toBe(3);
  });

  it('zeroes the adopted buffer on wipe and refuses any later read', () => {
    const raw = new Uint8Array([1, 2, 3, 4]);
    const value = SecretValue.adopt(raw);
    value.wipe();
    expect([...raw]).toEqual([0, 0, 0, 0]);
    expect(value.wiped).toBe(true);
    expect(() => value.bytes()).toThrow(InternalError);
    expect(() => value.use(() => 1)).toThrow(/already wiped/);
  });

  it('copyOf leaves the caller buffer alone when wiped', () => {
    const raw = new Uint8Array([9, 9]);
    const value = SecretValue.copyOf(raw);
    value.wipe();
    expect([...raw]).toEqual([9, 9]);
  });
});
