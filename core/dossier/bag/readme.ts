/**
 * README-VERIFY.md: the stock commands a successor runs, with no Reversa installed. It is the
 * first entry of the zip (byte-wise 'R' < 'b'), so it is fully known before any payload streams.
 */
import { commandLine, type StockCommandId, stockCommand } from '../verify-commands.ts';

export interface ReadmeInput {
  bagName: string;
  hasFetch: boolean;
  splitFiles: readonly string[];
}

export function renderReadme({ bagName, hasFetch, splitFiles }: ReadmeInput): string {
  const zip = `${bagName}.zip`;
  // The same commands the CLI prints and the tests and the demo run (verify-commands.ts).
  const line = (id: StockCommandId) => commandLine(stockCommand(zip, id));
  const [sidecar, unzip, manifest, tagManifest, signature, fingerprint] = (
    ['sidecar', 'unzip', 'manifest', 'tagmanifest', 'signature', 'fingerprint'] as const
  ).map(line);
  const manifestCheck = hasFetch ? `${manifest}    # after fetching (below); before: add --ignore-missing` : manifest;
  const parts = [
    `# Verifying ${bagName}`,
    '',
    'This archive is a BagIt 1.0 bag (RFC 8493). Everything below uses stock tools only:',
    '`unzip`, `sha256sum` (GNU coreutils) and `openssl`. Every command must succeed.',
    '',
    '## 1. The archive as delivered',
    '',
    `If you received \`${zip}.sha256\` and \`${zip}.sha256.sig\` next to the archive:`,
    '',
    '```sh',
    sidecar,
    '```',
    '',
    `(Once signer-public-key.pem is extracted, \`openssl dgst -sha256 -verify ${bagName}/signer-public-key.pem -signature ${zip}.sha256.sig ${zip}.sha256\` proves that checksum file too.)`,
    '',
    '## 2. Unpack and check every file',
    '',
    '```sh',
    unzip,
    `cd ${bagName}`,
    manifestCheck,
    tagManifest,
    signature,
    '```',
    '',
    '- `manifest-sha256.txt` lists the SHA-256 of every payload file under `data/`.',
    '- `tagmanifest-sha256.txt` lists the SHA-256 of the other files (bagit.txt, bag-info.txt, manifest-sha256.txt,',
    '  fetch.txt when present, this README, signer-public-key.pem), so no manifest can be rewritten unnoticed.',
    '- `tagmanifest-sha256.txt.sig` is an ECDSA P-256 / SHA-256 signature (DER) over the tag manifest;',
    '  the last command must print `Verified OK`.',
    '- Also compare `Payload-Oxum` in bag-info.txt (`<bytes>.<files>`) with what you unpacked:',
    "  `find data -type f -printf '%s\\n' | awk '{s+=$1} END {print s\".\"NR}'` must print the same value",
    '  (once fetch.txt files, if any, are downloaded).',
    '  Files present under data/ but absent from manifest-sha256.txt were not part of the signed dossier.',
    '',
    "## 3. Is the key the provider's key?",
    '',
    'The signature only proves the files match the key shipped inside the archive. Compare its fingerprint',
    'with the one the provider published to you through another channel (contract annex, signed letter, website):',
    '',
    '```sh',
    fingerprint,
    '```',
    '',
  ];
  if (hasFetch) {
    parts.push(
      '## 4. fetch.txt: data referenced, not embedded',
      '',
      'Large backup data is not inside the zip. Each line of `fetch.txt` is `<URL> <size in bytes> <path>`:',
      'download each URL to its path, then run `sha256sum -c manifest-sha256.txt`, which lists those files too, so',
      'downloaded data is checked exactly like embedded data. Before downloading, `sha256sum -c --ignore-missing',
      'manifest-sha256.txt` checks the embedded files only. Payload-Oxum counts the complete bag (embedded + fetched).',
      '',
      '```sh',
      'while read -r url size path; do mkdir -p "$(dirname "$path")"; curl -fsSL -o "$path" "$url"; done < fetch.txt',
      '```',
      '',
    );
  }
  parts.push(
    `## ${hasFetch ? 5 : 4}. Files split in parts`,
    '',
    'A zip entry cannot reach 4 GiB here, so a larger file embedded in the bag is split into',
    '`<name>.part-0001`, `<name>.part-0002`, … each listed in the manifest. After the checks above, reassemble with',
    '`cat <name>.part-* > <name>` (the zero-padded numbers sort in order).',
  );
  if (splitFiles.length > 0) {
    parts.push('', 'Split files in this bag:', '', ...splitFiles.map((f) => `- \`data/${f}\``));
  }
  parts.push('');
  return parts.join('\n');
}
