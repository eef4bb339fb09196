/**
 * `reversa user add|list|remove`: portal users, in the local identity provider or the deployed
 * stack's Cognito user pool. The password is read from stdin (never an argument: it would be in the
 * shell history and the process list).
 */
import { checkNewUser, checkPassword } from '#core/identity/users.ts';
import { SecretValue } from '#core/secrets/secret-value.ts';
import { parseCommand, requireString, usageError } from '../args.ts';
import { openContext } from '../context.ts';
import { table, write, writeJson } from '../output.ts';

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function accessUntil(expires: string | undefined, now: number): string | undefined {
  if (expires === undefined) return undefined;
  const m = /^([1-9][0-9]{0,4})(m|h|d)$/.exec(expires);
  if (!m) throw usageError(`--expires expects a duration like 30d, 12h or 90m, got '${expires}'`);
  return new Date(now + Number(m[1]) * UNITS[m[2] as keyof typeof UNITS]).toISOString();
}

async function passwordFromStdin(): Promise<SecretValue> {
  if (process.stdin.isTTY) throw usageError('--password-stdin reads the password from stdin: pipe it in');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  for (const c of chunks) c.fill(0);
  // A trailing newline from `echo` or a file is not part of the password.
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  const value = SecretValue.copyOf(bytes.subarray(0, end));
  bytes.fill(0);
  return value;
}

async function add(argv: string[]): Promise<number> {
  const { values } = parseCommand(
    argv,
    {
      email: { type: 'string' },
      role: { type: 'string' },
      tenant: { type: 'string', multiple: true },
      expires: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    0,
  );
  if (!values['password-stdin']) throw usageError('give the password on stdin with --password-stdin');
  const ctx = await openContext(values);
  try {
    const now = ctx.now();
    const until = accessUntil(values.expires, now);
    const user = checkNewUser({
      email: requireString(values.email, '--email <address>'),
      role: requireString(values.role, '--role <role>'),
      tenants: (values.tenant ?? [])
        .flatMap((t) => t.split(','))
        .map((t) => t.trim())
        .filter(Boolean),
      ...(until === undefined ? {} : { accessUntil: until }),
    });
    const password = await passwordFromStdin();
    try {
      checkPassword(password);
      const added = await (await ctx.users()).add(user, password, now);
      if (values.json) writeJson(added);
      else
        write(
          `added ${added.email} as ${added.role}${added.tenants.length ? ` of ${added.tenants.join(', ')}` : ''}${added.accessUntil ? `, access until ${added.accessUntil}` : ''}`,
        );
    } finally {
      password.wipe();
    }
    return 0;
  } finally {
    await ctx.close();
  }
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, {}, 0);
  const ctx = await openContext(values);
  try {
    const users = await (await ctx.users()).list();
    if (values.json) writeJson({ users });
    else if (users.length === 0)
      write('no portal users yet: reversa user add --email <e> --role <role> --password-stdin');
    else
      write(
        table(
          ['email', 'role', 'tenants', 'access until', 'created'],
          users.map((u) => [u.email, u.role, u.tenants.join(',') || '(all)', u.accessUntil ?? '-', u.createdAt]),
        ),
      );
    return 0;
  } finally {
    await ctx.close();
  }
}

async function remove(argv: string[]): Promise<number> {
  const { values } = parseCommand(argv, { email: { type: 'string' } }, 0);
  const email = requireString(values.email, '--email <address>').trim().toLowerCase();
  const ctx = await openContext(values);
  try {
    const removed = await (await ctx.users()).remove(email);
    if (values.json) writeJson({ email, removed });
    else write(removed ? `removed ${email}` : `no user ${email}`);
    return removed ? 0 : 2;
  } finally {
    await ctx.close();
  }
}

export async function userCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest);
  if (sub === 'list') return list(rest);
  if (sub === 'remove') return remove(rest);
  throw usageError(
    "'reversa user' needs a subcommand: add --email <e> --role <role> [--tenant <id> …] [--expires 30d] --password-stdin, list, remove --email <e>",
  );
}
