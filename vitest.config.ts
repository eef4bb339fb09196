import { defineConfig } from 'vitest/config';

// One vitest project per test layer, so `vitest run --project unit` gives the fast loop
// and `npm test` runs them all.
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'workflows', include: ['test/workflows/**/*.test.ts'], testTimeout: 60_000 } },
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 120_000 },
      },
      {
        // The portal in Debian's Chromium (playwright-core) on a seeded local cloud; the web app is built once per run.
        extends: true,
        test: {
          name: 'portal',
          include: ['test/portal/**/*.test.ts'],
          globalSetup: ['test/portal/global-setup.ts'],
          // A browser on a loaded 2-core machine: what the page shows may take seconds to appear.
          expect: { poll: { timeout: 15_000 } },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The AWS adapters against one moto server (real AWS wire protocols), started by the global setup.
        // Runs after the other projects: on 2 cores the Python server's load made their timed tests time out.
        extends: true,
        test: {
          name: 'aws',
          sequence: { groupOrder: 1 },
          include: ['test/aws/**/*.test.ts'],
          globalSetup: ['test/aws/global-setup.ts'],
          setupFiles: ['test/aws/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
    env: {
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  },
});
