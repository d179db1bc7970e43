import { defineConfig } from '@playwright/test';

export default defineConfig({
  testMatch: '*.e2e.ts',
  globalSetup: './global-setup.ts',
  // A Chromium of the system's (Debian: CHROMIUM_PATH=/usr/bin/chromium), else Playwright's own.
  use: { launchOptions: { executablePath: process.env.CHROMIUM_PATH } },
});
