/**
 * Writes schema/strategy.schema.json from the zod schema: `npx tsx core/strategy/write-json-schema.ts`.
 * With `--check` it writes nothing and exits 1 when the committed file is stale (run in `npm test`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRATEGY_SCHEMA_PATH, strategyJsonSchemaText } from './json-schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const target = resolve(root, STRATEGY_SCHEMA_PATH);
const fresh = strategyJsonSchemaText();

if (process.argv.includes('--check')) {
  let committed: string | undefined;
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    committed = undefined;
  }
  if (committed !== fresh) {
    process.stderr.write(
      `${STRATEGY_SCHEMA_PATH} is ${committed === undefined ? 'missing' : 'out of date'} with core/strategy/schema.ts: run \`npm run schema\` and commit the result.\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${STRATEGY_SCHEMA_PATH} is up to date.\n`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fresh);
  process.stdout.write(`wrote ${STRATEGY_SCHEMA_PATH}\n`);
}
