import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatProblem, ValidationError } from '#core/errors.ts';
import { DEFAULT_INGEST_LIMITS } from '#core/ingest/limits.ts';
import { type IngestResult, ingestReport } from '#core/use-cases/ingest-report.ts';
import { parseCommand, requireString } from '../args.ts';
import { openContext } from '../context.ts';
import { paint, table, write, writeJson } from '../output.ts';

/** Files of a directory (recursively, sorted, dot-files skipped) or the one file given. */
async function reportFiles(path: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new ValidationError('UnreadableFile', [{ file: path, path: '', message: 'no such file or directory' }]);
  }
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export async function ingestCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { tenant: { type: 'string' } }, 1);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const files = await reportFiles(requireString(positionals[0], '<file|dir>'));
  const ctx = await openContext(values);
  const results: IngestResult[] = [];
  try {
    for (const file of files) {
      const size = (await stat(file)).size;
      if (size > DEFAULT_INGEST_LIMITS.maxReportBytes) {
        // Refused before reading it into memory; the use case would refuse it too, after the read.
        results.push({
          status: 'rejected',
          tenantId,
          fileName: file,
          code: 'ReportTooLarge',
          problems: [
            {
              file,
              path: '',
              message: `report is ${size} bytes; the limit is ${DEFAULT_INGEST_LIMITS.maxReportBytes}`,
            },
          ],
          quarantineKey: '',
          reasonKey: '',
        });
        continue;
      }
      results.push(
        await ingestReport(ctx.deps, {
          tenantId,
          fileName: file,
          text: await readFile(file, 'utf8'),
          receivedAt: ctx.now(),
        }),
      );
    }
  } finally {
    await ctx.close();
  }
  const rejected = results.filter((r) => r.status === 'rejected');
  if (values.json) {
    writeJson({ tenantId, results });
  } else {
    const rows = results.map((r) =>
      r.status === 'ingested'
        ? [
            paint('green', 'ingested'),
            r.fileName,
            r.format,
            String(r.jobs),
            String(r.recoveryPoints),
            String(r.written),
            String(r.stale),
          ]
        : [paint(r.status === 'rejected' ? 'red' : 'gray', r.status), r.fileName, '', '', '', '', ''],
    );
    write(table(['result', 'file', 'format', 'jobs', 'points', 'written', 'unchanged'], rows));
    for (const r of rejected) {
      if (r.status !== 'rejected') continue;
      write(`\n${paint('red', 'rejected')} ${r.fileName}${r.quarantineKey ? ` (kept in ${r.quarantineKey})` : ''}:`);
      for (const p of r.problems) write(`  ${formatProblem(p)}`);
    }
  }
  return rejected.length > 0 ? 2 : 0;
}
