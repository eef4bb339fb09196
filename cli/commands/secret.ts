import { SecretValue } from '#core/secrets/secret-value.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { openContext } from '../context.ts';
import { write, writeJson } from '../output.ts';

/**
 * The local secret store (age-encrypted at rest). `put` reads the value from stdin so it never
 * appears in the shell history or the process list. Deployed stacks use Secrets Manager instead.
 */
export async function secretCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'put') return put(rest);
  if (sub === 'list') return list(rest);
  throw usageError(`'reversa secret' needs a subcommand: put --tenant <id> --name <name> < value, list --tenant <id>`);
}

async function put(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' }, name: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const name = requireString(values.name, '--name <name>');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const value = SecretValue.adopt(Buffer.concat(chunks));
  const ctx = await openContext(values);
  try {
    const ref = await ctx.localSecrets().put(tenantId, name, value);
    if (values.json) writeJson({ tenantId, name: ref.name, version: ref.version ?? null });
    else write(`stored secret ${ref.name} for tenant ${tenantId} (${value.byteLength} bytes, encrypted at rest)`);
    return 0;
  } finally {
    value.wipe();
    await ctx.close();
  }
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { tenant: { type: 'string' } }, 0);
  const tenantId = requireString(values.tenant, '--tenant <id>');
  const ctx = await openContext(values);
  try {
    const refs = [];
    for await (const ref of ctx.localSecrets().list(tenantId))
      refs.push({ name: ref.name, version: ref.version ?? null });
    if (values.json) writeJson({ tenantId, secrets: refs });
    else for (const r of refs) write(`${r.name}${r.version ? ` (version ${r.version})` : ''}`);
    return 0;
  } finally {
    await ctx.close();
  }
}
