import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatProblem, type Problem, ValidationError } from '#core/errors.ts';
import { DEFAULT_INGEST_LIMITS } from '#core/ingest/limits.ts';
import { decodeUtf8Strict } from '#core/text.ts';
import { type IngestResult, ingestReport, type RejectedResult } from '#core/use-cases/ingest-report.ts';
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

/** Refused before the use case sees it (too large to read, or not text): the file stays where it is. */
function refusedHere(tenantId: string, file: string, code: string, problem: Problem): RejectedResult {
  return { status: 'rejected', tenantId, fileName: file, code, problems: [problem], quarantineKey: '', reasonKey: '' };
}

export async function ingestCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { tenant: { type: 'string' }, 'resource-arn': { type: 'string' } },
    1,
  );
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const resourceArn = values['resource-arn'];
  const files = await reportFiles(requireString(positionals[0], '<file|dir>'));
  const ctx = await openContext(values);
  const results: IngestResult[] = [];
  try {
    for (const file of files) {
      const size = (await stat(file)).size;
      if (size > DEFAULT_INGEST_LIMITS.maxReportBytes) {
        // Refused before reading it into memory; the use case would refuse it too, after the read.
        results.push(
          refusedHere(tenantId, file, 'ReportTooLarge', {
            file,
            path: '',
            message: `report is ${size} bytes; the limit is ${DEFAULT_INGEST_LIMITS.maxReportBytes}`,
          }),
        );
        continue;
      }
      // Strict UTF-8: a report in another encoding is refused naming the byte, never read with U+FFFD in it.
      const text = decodeUtf8Strict(await readFile(file), file);
      if (typeof text !== 'string') {
        results.push(refusedHere(tenantId, file, 'InvalidEncoding', text));
        continue;
      }
      results.push(
        await ingestReport(ctx.deps, { tenantId, fileName: file, text, receivedAt: ctx.now(), resourceArn }),
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
            r.ignored === undefined ? '' : String(r.ignored),
          ]
        : [paint(r.status === 'rejected' ? 'red' : 'gray', r.status), r.fileName, '', '', '', '', '', ''],
    );
    write(table(['result', 'file', 'format', 'jobs', 'points', 'written', 'unchanged', 'ignored'], rows));
    for (const r of rejected) {
      if (r.status !== 'rejected') continue;
      write(`\n${paint('red', 'rejected')} ${r.fileName}${r.quarantineKey ? ` (kept in ${r.quarantineKey})` : ''}:`);
      for (const p of r.problems) write(`  ${formatProblem(p)}`);
    }
  }
  return rejected.length > 0 ? 2 : 0;
}
