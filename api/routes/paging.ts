/**
 * Cursor pagination over a list that is small by nature (a tenant's findings, its dossier
 * versions): the cursor is the offset, opaque to clients. Large listings (restore tests, audit
 * entries) page in the store instead.
 */
import { ValidationError } from '#core/errors.ts';

export function offsetPage<T>(
  items: readonly T[],
  limit: number,
  cursor?: string,
): { items: T[]; nextCursor?: string } {
  let start = 0;
  if (cursor !== undefined) {
    const m = /^o(\d{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!m)
      throw new ValidationError('BadCursor', [
        { file: '<query>', path: 'cursor', message: 'not a cursor of this listing' },
      ]);
    start = Number(m[1]);
  }
  const end = start + limit;
  const pageItems = items.slice(start, end);
  return end < items.length
    ? { items: pageItems, nextCursor: Buffer.from(`o${end}`, 'utf8').toString('base64url') }
    : { items: pageItems };
}
