import { defineConfig } from '@playwright/test';
import { chromiumArgs, executablePath } from './chromium';

// Debian's Chromium, never a downloaded browser. Each test file starts its own signet and SMTP server.
export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: { executablePath, args: chromiumArgs },
    trace: 'off',
  },
});
