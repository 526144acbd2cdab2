import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.js';

export default mergeConfig(
  viteConfig,
  defineConfig({
    // vite.config.ts roots the app in client/; tests live at the repository root.
    root: '.',
    test: {
      include: ['tests/**/*.test.ts'],
      globalSetup: ['tests/global-setup.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // Integration tests start real servers; two workers keep the 2-core machine responsive.
      maxWorkers: 2,
    },
  }),
);
