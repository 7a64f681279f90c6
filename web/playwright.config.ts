// Browser tests in a real Chromium: Debian's (/usr/bin/chromium, installed by the Makefile), never a
// browser Playwright downloads. They run against the app at KIROKU_WEB_URL, which the test that starts the
// local stack and the app (tests/e2e/test_web.py) sets, beside where their results go: one directory per
// run, as runs on two backends may overlap.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  outputDir: process.env.KIROKU_WEB_RESULTS ?? "test-results",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.KIROKU_WEB_URL ?? "http://127.0.0.1:3000",
    trace: "off",
    launchOptions: {
      executablePath: process.env.KIROKU_CHROMIUM ?? "/usr/bin/chromium",
      // As root Chromium needs --no-sandbox; the rest stops the connections it opens in the background,
      // which this machine refuses.
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
});
