/**
 * The parsed document of a stored strategy version, memoised by its content hash: a stored version
 * is immutable and parsing is pure, and a 1,000-resource strategy takes tens of milliseconds to
 * parse and check, which every status, report and workflow step would otherwise repeat. Callers
 * treat the document as read-only (as they always have); the cache is small and bounded.
 */
import type { StoredStrategyVersion } from '../ports.ts';
import { type ParsedStrategy, parseStrategy } from './parse.ts';

const CAPACITY = 32;
const cache = new Map<string, ParsedStrategy>();

export function parseStoredStrategy(
  stored: Pick<StoredStrategyVersion, 'source' | 'fileName' | 'contentSha256'>,
): ParsedStrategy {
  const key = `${stored.contentSha256}\u0000${stored.fileName}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const parsed = parseStrategy(stored.source, stored.fileName);
  // Only a version whose text really has this hash is cached under it (a store returning garbage is not trusted).
  if (parsed.contentSha256 === stored.contentSha256) {
    cache.set(key, parsed);
    if (cache.size > CAPACITY) cache.delete(cache.keys().next().value as string);
  }
  return parsed;
}
