import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EscrowArtifacts } from '#core/dossier/escrow/seal.ts';
import { type SecretRef, type SecretSource, SecretValue } from '#core/secrets/ports.ts';

/** An in-memory SecretSource: name → bytes, one tenant. */
export function memorySource(tenantId: string, secrets: Record<string, Uint8Array | string>): SecretSource {
  return {
    async *list(tenant: string) {
      if (tenant !== tenantId) return;
      for (const [i, name] of Object.keys(secrets).entries()) {
        yield { name, version: `v${i + 1}`, lastChangedAt: Date.UTC(2025, 0, 1 + i) } satisfies SecretRef;
      }
    },
    async read(ref: SecretRef) {
      const raw = secrets[ref.name];
      if (raw === undefined) throw new Error('test source: unknown secret');
      return typeof raw === 'string' ? SecretValue.fromUtf8(raw) : SecretValue.copyOf(raw);
    },
  };
}

/** A key pair made by the real age-keygen (identity file path, identity, recipient). */
export function ageKeygen(): { file: string; identity: string; recipient: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'reversa-agekey-'));
  const file = join(dir, 'key.txt');
  const run = spawnSync('age-keygen', ['-o', file]);
  if (run.status !== 0) throw new Error(`age-keygen failed: ${run.stderr}`);
  const text = readFileSync(file, 'utf8');
  const identity = text.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
  const recipient = /public key: (age1\w+)/.exec(text)![1]!;
  return { file, identity, recipient, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function filesOf(artifacts: EscrowArtifacts) {
  const map = new Map(artifacts.files.map((f) => [f.path, f.body]));
  return {
    map,
    reader: async (path: string) => map.get(path),
    get: (path: string) => {
      const body = map.get(path);
      if (body === undefined) throw new Error(`no ${path}`);
      return body;
    },
  };
}
