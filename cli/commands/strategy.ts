import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { NotFoundError, ValidationError } from '#core/errors.ts';
import { parseStrategy } from '#core/strategy/parse.ts';
import { decodeUtf8Strict } from '#core/text.ts';
import { applyStrategy } from '#core/use-cases/apply-strategy.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { openContext } from '../context.ts';
import { write, writeJson } from '../output.ts';
import { openTenantContext } from '../tenant.ts';

export async function strategyCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'validate') return validate(rest);
  if (sub === 'apply') return apply(rest);
  if (sub === 'show') return show(rest);
  throw usageError(`'reversa strategy' needs a subcommand: validate <file>, apply <file>, show --tenant <id>`);
}

/** The file as strict UTF-8: another encoding is refused naming the byte, never read with U+FFFD in it. */
async function readStrategyFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ValidationError('UnreadableFile', [
      { file: path, path: '', message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})` },
    ]);
  }
  const text = decodeUtf8Strict(bytes, path);
  if (typeof text !== 'string') throw new ValidationError('InvalidStrategy', [text]);
  return text;
}

async function validate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {}, 1);
  const file = requireString(positionals[0], '<file>');
  const parsed = parseStrategy(await readStrategyFile(file), file);
  const doc = parsed.document;
  if (values.json)
    writeJson({ valid: true, tenantId: doc.tenant.id, resources: doc.resources.length, sha256: parsed.contentSha256 });
  else
    write(
      `${file}: valid strategy for tenant ${doc.tenant.id} (${doc.resources.length} resource declarations, sha256 ${parsed.contentSha256.slice(0, 12)}…)`,
    );
  return 0;
}

async function apply(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { author: { type: 'string' } }, 1);
  const file = requireString(positionals[0], '<file>');
  const text = await readStrategyFile(file);
  const ctx = await openContext(values);
  try {
    // The author recorded is who is acting (the IAM identity, or the local user); --author only annotates it.
    const actor = await ctx.actor();
    const author = values.author ? `${actor} (as ${values.author})` : actor;
    const schedules = await ctx.scheduleManager();
    const result = await applyStrategy(schedules ? { ...ctx.deps, schedules } : ctx.deps, {
      text,
      fileName: basename(file),
      author,
      now: ctx.now(),
    });
    const v = result.version;
    if (values.json)
      writeJson({ tenantId: v.tenantId, version: v.version, created: result.created, sha256: v.contentSha256 });
    else
      write(
        result.created
          ? `applied ${file}: tenant ${v.tenantId} is now on strategy version ${v.version} (sha256 ${v.contentSha256.slice(0, 12)}…)`
          : `unchanged: tenant ${v.tenantId} already runs this content as version ${v.version}`,
      );
    return 0;
  } finally {
    await ctx.close();
  }
}

async function show(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' }, version: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const ctx = await openTenantContext(values, tenantId);
  try {
    const version = values.version === undefined ? undefined : Number(values.version);
    if (version !== undefined && !Number.isInteger(version)) throw usageError('--version expects a whole number');
    const stored =
      version === undefined
        ? await ctx.deps.strategies.getCurrent(tenantId)
        : await ctx.deps.strategies.getVersion(tenantId, version);
    if (!stored)
      throw new NotFoundError(
        'StrategyNotFound',
        `no strategy${version ? ` version ${version}` : ''} for tenant '${tenantId}'`,
      );
    if (values.json) writeJson(stored);
    else {
      write(
        `# tenant ${stored.tenantId}, version ${stored.version}, applied ${new Date(stored.appliedAt).toISOString()} by ${stored.author} from ${stored.fileName}, sha256 ${stored.contentSha256}`,
      );
      write(stored.source);
    }
    return 0;
  } finally {
    await ctx.close();
  }
}
