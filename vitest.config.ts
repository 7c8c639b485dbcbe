import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts its own app and database; two at a time keeps ffmpeg from starving them.
    maxWorkers: 2,
  },
});
