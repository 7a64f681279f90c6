// The local GraphiQL, offline: the GraphQL function serves the page and every file it loads, and the
// documentation pane shows the schema's descriptions. Its screenshot is the README's.
import { expect, test } from "@playwright/test";

import { screenshot } from "./screenshots";

test("the local GraphiQL loads without the internet and documents the schema", async ({ page }) => {
  const graphqlUrl = process.env.KIROKU_GRAPHQL_URL;
  if (graphqlUrl === undefined) {
    throw new Error("KIROKU_GRAPHQL_URL is not set: tests/e2e/test_web.py runs these tests against a stack");
  }
  const offStack: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(new URL(graphqlUrl).origin) && !request.url().startsWith("data:")) {
      offStack.push(request.url());
    }
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(graphqlUrl);
  await page.getByRole("button", { name: /show documentation explorer/i }).click();
  await expect(page.getByText("A GraphQL schema provides a root type for each kind of operation.")).toBeVisible();
  await page.getByRole("link", { name: "Query" }).click();
  await expect(page.getByText(/What can be read/)).toBeVisible();
  expect(offStack).toEqual([]);
  await page.screenshot({ path: screenshot("graphiql-documentation.png"), animations: "disabled" });
});
