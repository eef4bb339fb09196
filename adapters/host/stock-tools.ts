/**
 * Runs the successor's stock commands (core/dossier/verify-commands.ts) for real, as a successor
 * would: each in the download or the unpacked bag directory, piped where the command says so. A
 * missing tool is reported as such, not as a failed check of the dossier.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bagNameOf, commandLine, type StockCommand } from '#core/dossier/verify-commands.ts';

export interface StockRun {
  command: string;
  ok: boolean;
  code: number;
  /** stdout and stderr together, trimmed. */
  output: string;
  /** stdout alone (the fingerprint, `Verified OK`). */
  stdout: string;
}

function spawnCollect(
  argv: readonly string[],
  cwd: string,
  stdin?: Buffer,
): Promise<{ code: number; stdout: Buffer; stderr: Buffer; missing?: boolean }> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (error: NodeJS.ErrnoException) =>
      resolve({
        code: -1,
        stdout: Buffer.alloc(0),
        stderr: Buffer.from(error.message),
        missing: error.code === 'ENOENT',
      }),
    );
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
    child.stdin.end(stdin);
  });
}

/** Runs one command; `download` is the directory holding the zip. */
export async function runStockCommand(command: StockCommand, download: string, zipName: string): Promise<StockRun> {
  const cwd = command.cwd === 'download' ? download : join(download, bagNameOf(zipName));
  const first = await spawnCollect(command.argv, cwd);
  const last = command.pipeTo && first.code === 0 ? await spawnCollect(command.pipeTo, cwd, first.stdout) : first;
  const stdout = last.stdout.toString('utf8');
  const output = first.missing
    ? `${command.argv[0]} is not installed`
    : `${stdout}${first.stderr.toString('utf8')}${last === first ? '' : last.stderr.toString('utf8')}`.trim();
  const ok = last.code === 0 && (command.expect === undefined || stdout.includes(command.expect));
  return { command: commandLine(command), ok, code: last.code, output, stdout };
}

/** Runs the commands in order, each whatever the previous gave (a successor reads every verdict). */
export async function runStockCommands(
  commands: readonly StockCommand[],
  download: string,
  zipName: string,
): Promise<StockRun[]> {
  const runs: StockRun[] = [];
  for (const command of commands) runs.push(await runStockCommand(command, download, zipName));
  return runs;
}
