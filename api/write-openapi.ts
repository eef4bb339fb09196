/** Writes schema/openapi.json from the route table; `--check` exits 1 when the committed file is stale. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_ROUTES, API_VERSION } from './api.ts';
import { OPENAPI_PATH, openApiDocument } from './openapi.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, OPENAPI_PATH);
const fresh = `${JSON.stringify(openApiDocument(API_ROUTES, API_VERSION), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let committed: string | undefined;
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    committed = undefined;
  }
  if (committed !== fresh) {
    process.stderr.write(
      `${OPENAPI_PATH} is ${committed === undefined ? 'missing' : 'out of date'} with api/: run \`npm run openapi\` and commit the result.\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${OPENAPI_PATH} is up to date.\n`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fresh);
  process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
}
