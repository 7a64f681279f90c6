// The storefront's first page as a first-time visitor loads it, measured the way Lighthouse reports it:
// largest contentful paint, first contentful paint, time to first byte, and the JavaScript shipped
// (bytes on the wire and decoded). Each load is a cold one (a new browser context: no cache, no
// cookies). The baseline is the same page with its script files refused: the server-rendered HTML and
// its styles alone, so the ratio says what the app's JavaScript costs the first paint. (Not JavaScript
// switched off: the browser's own measuring needs it, timers included.) Figures go to
// KIROKU_VITALS_FILE as JSON for bench/web.py to print.
import { writeFileSync } from "node:fs";

import { expect, test, type Browser } from "@playwright/test";

const LOADS = Number(process.env.KIROKU_VITALS_LOADS ?? "7");
const PAGE = "/";

interface Load {
  lcpMs: number;
  fcpMs: number;
  ttfbMs: number;
  scripts: number;
  scriptTransferBytes: number;
  scriptDecodedBytes: number;
}

async function coldLoad(browser: Browser, baseURL: string, scripts: boolean): Promise<Load> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  if (!scripts) {
    await context.route(/\.js(\?|$)/, (route) => route.abort("blockedbyclient"));
  }
  try {
    const page = await context.newPage();
    await page.goto(PAGE, { waitUntil: "load" });
    await expect(page.getByRole("heading", { name: "Catalogue" })).toBeVisible();
    // LCP is final once the page is idle and nothing larger paints; read the entries it buffered.
    await page.waitForTimeout(500);
    return await page.evaluate(async () => {
      // LCP entries are given only to an observer (buffered: the ones already painted).
      const lcpMs = await new Promise<number>((resolve) => {
        new PerformanceObserver((list) => resolve(list.getEntries().at(-1)?.startTime ?? NaN)).observe({
          type: "largest-contentful-paint",
          buffered: true,
        });
        setTimeout(() => resolve(NaN), 5_000);
      });
      const paints = performance.getEntriesByType("paint");
      const navigation = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter(
        (entry) => entry.initiatorType === "script" || entry.name.endsWith(".js"),
      );
      return {
        lcpMs,
        fcpMs: paints.find((entry) => entry.name === "first-contentful-paint")?.startTime ?? NaN,
        ttfbMs: navigation.responseStart,
        scripts: scripts.length,
        scriptTransferBytes: scripts.reduce((sum, entry) => sum + entry.transferSize, 0),
        scriptDecodedBytes: scripts.reduce((sum, entry) => sum + entry.decodedBodySize, 0),
      };
    });
  } finally {
    await context.close();
  }
}

test("the storefront's first page, cold, with and without JavaScript", async ({ browser, baseURL }) => {
  const output = process.env.KIROKU_VITALS_FILE;
  expect(output, "KIROKU_VITALS_FILE: where bench/web.py reads the figures").toBeTruthy();
  expect(baseURL).toBeTruthy();
  await coldLoad(browser, baseURL!, true); // the server's first render of the page (its caches warm)
  const loads: { withJavaScript: Load[]; withoutJavaScript: Load[] } = { withJavaScript: [], withoutJavaScript: [] };
  for (let round = 0; round < LOADS; round += 1) {
    loads.withJavaScript.push(await coldLoad(browser, baseURL!, true));
    loads.withoutJavaScript.push(await coldLoad(browser, baseURL!, false));
  }
  for (const load of loads.withJavaScript) {
    expect(load.lcpMs).toBeGreaterThan(0);
    expect(load.scriptDecodedBytes).toBeGreaterThan(0);
  }
  writeFileSync(output!, JSON.stringify(loads, null, 2));
});
