/** Size limits of the zip format as we use it (no ZIP64 sizes in local headers, see compression.ts). */

/** 0xFFFFFFFF itself is the ZIP64 marker value, so the largest plain 32-bit size is one less. */
export const MAX_ENTRY_BYTES = 0xffff_fffe;
/** Default part size of splitLargeEntry: well below the limit, and a round number for `split -b 2G`. */
export const DEFAULT_PART_BYTES = 2 * 1024 * 1024 * 1024;

export const GIB = 1024 * 1024 * 1024;
