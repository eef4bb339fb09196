/** Which entries are stored as-is and which are deflated. */

/** Formats that are already compressed or encrypted: deflating them costs CPU and gains nothing. */
const STORED_EXTENSIONS = new Set([
  '7z',
  'age',
  'apk',
  'avif',
  'br',
  'bz2',
  'cab',
  'deb',
  'docx',
  'enc',
  'flac',
  'gif',
  'gpg',
  'gz',
  'heic',
  'jar',
  'jpeg',
  'jpg',
  'lz',
  'lz4',
  'lzma',
  'm4a',
  'mkv',
  'mov',
  'mp3',
  'mp4',
  'odp',
  'ods',
  'odt',
  'ogg',
  'pdf',
  'png',
  'pptx',
  'rar',
  'rpm',
  'tgz',
  'txz',
  'webm',
  'webp',
  'whl',
  'xlsx',
  'xz',
  'zip',
  'zst',
  'zstd',
  'pgp',
  'asc.gpg',
]);

/**
 * Entries at or above this size are stored even when compressible: a deflated stream may come
 * out slightly larger than its input, and the zip local header (written before the data, sizes
 * unknown) has no room for a ZIP64 size, so every entry's compressed size must stay < 4 GiB.
 */
export const STORE_ABOVE_BYTES = 1024 * 1024 * 1024;

export function shouldStore(path: string, size: number, compressible: boolean | undefined): boolean {
  if (compressible === false) return true;
  if (size >= STORE_ABOVE_BYTES || size === 0) return true;
  if (compressible === true) return false;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot > 0 && STORED_EXTENSIONS.has(name.slice(dot + 1));
}
