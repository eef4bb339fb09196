import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseIdentityFile } from '#core/dossier/escrow/keys.ts';
import { openEscrow } from '#core/dossier/escrow/open.ts';
import { ValidationError } from '#core/errors.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { write, writeJson } from '../output.ts';
import { readZipMembers } from '../zip-reader.ts';

const MAX_ESCROW_FILE = 64 * 1024 * 1024;

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new ValidationError('UnreadableFile', [{ file: path, path: '', message: `cannot read the ${what}` }]);
  }
}

/**
 * `reversa escrow open <zip> -i <identity> [--share <file> …] [--out <dir>]`. Without --out it
 * only lists what the escrow holds: plaintext leaves memory only when the successor asks for it,
 * and then only into files readable by the successor alone (0600).
 */
export async function escrowCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'open')
    throw usageError(`'reversa escrow' needs a subcommand: open <zip> -i <identity> [--share <file> …] [--out <dir>]`);
  const { values, positionals } = parseCommand(
    rest,
    {
      identity: { type: 'string', short: 'i', multiple: true },
      share: { type: 'string', multiple: true },
      out: { type: 'string' },
    },
    1,
  );
  const zipPath = requireString(positionals[0], '<zip>');
  const identityFiles = (values.identity as string[] | undefined) ?? [];
  if (identityFiles.length === 0) throw usageError('missing -i <identity file> (an age identity: AGE-SECRET-KEY-1…)');
  const identities = (
    await Promise.all(
      identityFiles.map(async (f) => parseIdentityFile((await readInput(f, 'identity file')).toString('utf8'), f)),
    )
  ).flat();
  const shares = await Promise.all(
    ((values.share as string[] | undefined) ?? []).map((f) => readInput(f, 'share file')),
  );

  const members = await readZipMembers(zipPath, (name) => /^[^/]+\/data\/credentials\//.test(name), MAX_ESCROW_FILE);
  const byRelative = new Map<string, Buffer>();
  for (const [name, body] of members) byRelative.set(name.replace(/^[^/]+\/data\/credentials\//, ''), body);
  if (byRelative.size === 0) {
    throw new ValidationError('NoEscrow', [
      { file: zipPath, path: 'data/credentials/', message: 'this dossier holds no credentials escrow' },
    ]);
  }
  const opened = await openEscrow({
    files: async (path) => byRelative.get(path),
    identities,
    ...(shares.length > 0 ? { shares } : {}),
  });
  try {
    if (values.out) {
      await mkdir(values.out, { recursive: true, mode: 0o700 });
      for (const s of opened.secrets) {
        const file = join(values.out, encodeURIComponent(s.name));
        await s.value.use((bytes) => writeFile(file, bytes, { mode: 0o600 }));
        await chmod(file, 0o600);
      }
    }
    const listing = opened.secrets.map((s) => ({
      name: s.name,
      version: s.version ?? null,
      bytes: s.value.byteLength,
    }));
    if (values.json)
      writeJson({
        tenantId: opened.tenantId,
        openedWith: opened.openedWith,
        secrets: listing,
        out: values.out ?? null,
      });
    else {
      write(
        `escrow of tenant ${opened.tenantId} opened with ${opened.openedWith === 'shares' ? 'custodian shares' : 'an identity'}: ${listing.length} secrets`,
      );
      for (const s of listing) write(`  ${s.name}${s.version ? ` (version ${s.version})` : ''}, ${s.bytes} bytes`);
      write(
        values.out
          ? `written to ${values.out} (mode 0600)`
          : 'values not shown: add --out <dir> to write them to files readable only by you',
      );
    }
    return 0;
  } finally {
    opened.wipe();
  }
}
