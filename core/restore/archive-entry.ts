/** One entry of an archive being streamed: the body must be consumed (or abandoned) before the next entry. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface ArchiveEntry {
  /** As stored in the archive (not yet sanitised: see safeRelativePath). */
  path: string;
  kind: EntryKind;
  /** Uncompressed size when the format states it up front; undefined for streamed zip entries. */
  size: number | undefined;
  linkTarget?: string;
  /** The entry's content (empty for non-files). Abandoning it early is fine: the parser skips the rest. */
  body: AsyncIterable<Buffer>;
}

/** Limits on untrusted archive metadata (the bodies are streamed, so their size is not limited). */
export const MAX_ENTRY_NAME_BYTES = 64 * 1024;
export const MAX_PAX_HEADER_BYTES = 1024 * 1024;

/**
 * The relative path an entry is restored to, or undefined when the name is unsafe (absolute, `..`,
 * NUL, empty): archive names are untrusted and must never escape the sandbox.
 */
export function safeRelativePath(name: string): string | undefined {
  if (name.includes('\u0000')) return undefined;
  const parts: string[] = [];
  for (const part of name.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  if (parts.length === 0 || name.startsWith('/')) return undefined;
  return parts.join('/');
}
