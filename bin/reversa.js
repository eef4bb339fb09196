#!/usr/bin/env node
// `npx reversa …`: runs the TypeScript CLI through tsx on the project's pinned Node 24
// (npx puts node_modules/.bin first on PATH, so `node` above is the pinned one).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
