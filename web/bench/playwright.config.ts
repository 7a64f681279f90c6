// `make bench-web`'s browser: the same Debian Chromium as the browser tests, against the app at
// KIROKU_WEB_URL (bench/web.py starts the stack and the app and reads what the spec writes).
import { defineConfig } from "@playwright/test";

import tests from "../playwright.config";

export default defineConfig({
  ...tests,
  testDir: ".",
  outputDir: process.env.KIROKU_WEB_RESULTS ?? "../test-results/bench",
  timeout: 300_000,
});
