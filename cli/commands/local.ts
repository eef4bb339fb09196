import { localUp } from '#local/local-up.ts';
import { parseCommand, usageError } from '../args.ts';
import { write } from '../output.ts';

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw usageError(`${flag} expects a port number`);
  return n;
}

/** `reversa local up`: runs until interrupted; other reversa commands use this cloud meanwhile. */
export async function localCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'up') throw usageError(`'reversa local' needs a subcommand: up [--dynamodb-port N] [--s3-port N]`);
  const { values } = parseCommand(rest, { 'dynamodb-port': { type: 'string' }, 's3-port': { type: 'string' } }, 0);
  const dynamodb = port(values['dynamodb-port'], '--dynamodb-port');
  const s3 = port(values['s3-port'], '--s3-port');
  const up = await localUp({
    ...(dynamodb || s3 ? { ports: { ...(dynamodb ? { dynamodb } : {}), ...(s3 ? { s3 } : {}) } } : {}),
    log: (line) => write(`${new Date().toISOString()} ${line}`),
  });
  write(`local cloud up in ${up.cloud.home}: DynamoDB ${up.cloud.endpoints.dynamodb}, S3 ${up.cloud.endpoints.s3}`);
  write('sweep every 5 minutes, inbox every minute, audit seal hourly; Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await up.stop();
  write('local cloud stopped');
  return 0;
}
