/**
 * The stock commands a successor runs to verify a dossier with no Reversa installed (unzip,
 * sha256sum, openssl, age), listed once: README-VERIFY.md inside the bag, the CLI's `dossier export
 * --out` hint, the demo (which runs them for real) and the tests all take them from here, so what we
 * print is what we test.
 */
import { InternalError } from '../errors.ts';

export type StockCommandId = 'sidecar' | 'unzip' | 'manifest' | 'tagmanifest' | 'signature' | 'fingerprint' | 'escrow';

export interface StockCommand {
  id: StockCommandId;
  /** Where it runs: the download directory (beside the zip) or the unpacked bag directory. */
  cwd: 'download' | 'bag';
  argv: readonly string[];
  /** A second command the first one's output is piped into (`… | sha256sum`). */
  pipeTo?: readonly string[];
  /** What it proves, for humans. */
  proves: string;
  /** Output that means success, when the exit code alone does not say it. */
  expect?: string;
}

export interface VerifyCommandOptions {
  /** `--quiet` on the manifest checks (the demo prints only failures). */
  quiet?: boolean;
  /** `unzip -o`: overwrite a previous unpack. */
  overwrite?: boolean;
  /** The bag has fetch.txt: embedded files are checked first with --ignore-missing. */
  hasFetch?: boolean;
  /** The successor's age identity file: adds the escrow check. */
  identityFile?: string;
}

/** The bag directory a zip unpacks to (its single top-level folder). */
export const bagNameOf = (zipName: string): string => zipName.replace(/\.zip$/, '');

export function successorVerifyCommands(zipName: string, options: VerifyCommandOptions = {}): StockCommand[] {
  const quiet = options.quiet ? ['--quiet'] : [];
  const commands: StockCommand[] = [
    {
      id: 'sidecar',
      cwd: 'download',
      argv: ['sha256sum', '-c', `${zipName}.sha256`],
      proves: 'the archive is the one published',
    },
    {
      id: 'unzip',
      cwd: 'download',
      argv: ['unzip', '-q', ...(options.overwrite ? ['-o'] : []), zipName],
      proves: 'the zip is intact (unzip checks every CRC)',
    },
    {
      id: 'manifest',
      cwd: 'bag',
      argv: ['sha256sum', '-c', ...quiet, ...(options.hasFetch ? ['--ignore-missing'] : []), 'manifest-sha256.txt'],
      proves: 'every payload file matches the manifest',
    },
    {
      id: 'tagmanifest',
      cwd: 'bag',
      argv: ['sha256sum', '-c', ...quiet, 'tagmanifest-sha256.txt'],
      proves: 'no manifest or tag file was rewritten',
    },
    {
      id: 'signature',
      cwd: 'bag',
      argv: [
        'openssl',
        'dgst',
        '-sha256',
        '-verify',
        'signer-public-key.pem',
        '-signature',
        'tagmanifest-sha256.txt.sig',
        'tagmanifest-sha256.txt',
      ],
      proves: 'the tag manifest was signed by the key in the bag',
      expect: 'Verified OK',
    },
    {
      id: 'fingerprint',
      cwd: 'bag',
      argv: ['openssl', 'pkey', '-pubin', '-in', 'signer-public-key.pem', '-outform', 'DER'],
      pipeTo: ['sha256sum'],
      proves: "the key's fingerprint: compare it with the one the provider published out of band",
    },
  ];
  if (options.identityFile !== undefined) {
    commands.push({
      id: 'escrow',
      cwd: 'bag',
      argv: ['age', '-d', '-i', options.identityFile, '-o', '/dev/null', 'data/credentials/secrets.age'],
      proves: 'the escrowed credentials open with the successor key',
    });
  }
  return commands;
}

/** One command as a shell line (arguments here never need quoting: fixed names and our own file names). */
export function commandLine(command: StockCommand): string {
  const line = command.argv.join(' ');
  return command.pipeTo ? `${line} | ${command.pipeTo.join(' ')}` : line;
}

/** One command of the list by id (tests and the README pick single checks). */
export function stockCommand(zipName: string, id: StockCommandId, options: VerifyCommandOptions = {}): StockCommand {
  const found = successorVerifyCommands(zipName, options).find((c) => c.id === id);
  if (!found) throw new InternalError('NoSuchStockCommand', `no stock command ${id} with these options`);
  return found;
}
