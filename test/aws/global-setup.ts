/**
 * Starts ONE moto server for the whole `aws` project on 127.0.0.1 and a free port, waits until it answers
 * (polling its HTTP API, not sleeping), hands its endpoint to the test files through provide(), and kills it
 * at teardown. The server is test/aws/moto_server.py: `python3 -m moto.server` with one backported AWS
 * behaviour (docs/aws-emulator.md). Every test file creates its own uniquely named resources, so files may
 * run in parallel against the same server.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildTestApp } from '../infra/build-app.ts';
import { MOTO_ACCOUNT_ID, MOTO_REGION } from './account.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>`: every AWS service of the moto server. */
    motoEndpoint: string;
    /** The synthesized ReversaStateful template (JSON), for resources created "as CloudFormation would". */
    statefulTemplate: CfnTemplate;
    /** The synthesized ReversaWorkflows template (JSON), for the whole deployment in moto's CloudFormation. */
    workflowsTemplate: CfnTemplate;
  }
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
}

const PYTHON = 'python3';
const LAUNCHER = fileURLToPath(new URL('./moto_server.py', import.meta.url));
const READY_WITHIN_MS = 30_000;
const POLL_EVERY_MS = 50;

function requireMoto(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import moto, moto.server; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  const why = probe.error ? `${PYTHON} was not found (${probe.error.message})` : probe.stderr.trim().split('\n').pop();
  throw new Error(
    `The aws test project needs moto's server for ${PYTHON}, which is not usable here: ${why}.\n` +
      `Install it with: ${PYTHON} -m pip install 'moto[server]'   (or run .ci/run, which installs it)`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls moto's own API until it answers 200; fails early, with moto's last words, if the process exits. */
async function waitUntilReady(child: ChildProcess, endpoint: string, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
  throw new Error(`moto server did not answer on ${endpoint} within ${READY_WITHIN_MS} ms:\n${output()}`);
}

export default async function startMoto(project: TestProject): Promise<() => Promise<void>> {
  requireMoto();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(PYTHON, [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // moto logs one line per request; keep only the tail, for the error message if it dies.
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitUntilReady(child, endpoint, () => tail);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide('motoEndpoint', endpoint);
  // Synthesized once per run (bundling skipped, ~2.5 s), in moto's account and region.
  const { assembly } = buildTestApp({ env: { account: MOTO_ACCOUNT_ID, region: MOTO_REGION } });
  project.provide('statefulTemplate', assembly.getStackByName('ReversaStateful').template as CfnTemplate);
  project.provide('workflowsTemplate', assembly.getStackByName('ReversaWorkflows').template as CfnTemplate);
  return stop;
}
