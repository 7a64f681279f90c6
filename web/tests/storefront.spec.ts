// The storefront as a reader and a writer use it, against the local stack with the demo catalogue.
import { expect, test } from "@playwright/test";

import { screenshot } from "./screenshots";

test("a reader browses the catalogue by category, searches it and opens a product", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Catalogue" })).toBeVisible();
  const products = page.getByRole("list", { name: "Products" }).getByRole("listitem");
  await expect(products.first()).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: screenshot("storefront.png"), animations: "disabled" });

  await page.getByRole("navigation", { name: "Categories" }).getByRole("link", { name: "Ceramics" }).click();
  await expect(page).toHaveURL(/category=ceramics/);
  await expect(products.first()).toContainText("Ceramics");
  for (const text of await products.allInnerTexts()) {
    expect(text).toContain("Ceramics");
  }

  await page.getByRole("textbox", { name: "Name" }).fill("Yunomi");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=Yunomi/);
  await expect(products).toHaveCount(3);
  await expect(products.filter({ hasText: "Hagi Yunomi" })).toHaveCount(1);

  await products.filter({ hasText: "Hagi Yunomi" }).click();
  await expect(page.getByRole("heading", { name: "Hagi Yunomi" })).toBeVisible();
  await expect(page.getByText("€26.00")).toBeVisible();
  await expect(page.getByText("10 in stock")).toBeVisible();
});

test("the catalogue pages forward with its cursors", async ({ page }) => {
  await page.goto("/?category=tea");
  const products = page.getByRole("list", { name: "Products" }).getByRole("listitem");
  await expect(products).toHaveCount(9); // the tea's twelve, nine to a page
  const firstPage = await products.allInnerTexts();
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByRole("link", { name: "First page" })).toBeVisible();
  await expect(products).toHaveCount(3);
  const secondPage = await products.allInnerTexts();
  expect(secondPage.filter((text) => firstPage.includes(text))).toEqual([]);
  await expect(page.getByRole("link", { name: "Next page" })).toHaveCount(0);
});

test("the demo writer signs in and out", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as the demo writer" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("writer@kiroku.local");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("a wrong password is refused in words, not codes", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("textbox", { name: "Email" }).fill("writer@kiroku.local");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toHaveText(
    "That email and password do not match an account.",
  );
});

test("the Google button starts Google's sign-in, and a Google that cannot be reached is said in words", async ({ page }) => {
  // Google's sign-in needs Google's scripts (apis.google.com), which no test machine may reach: cut off
  // here on any machine, so what the test sees does not depend on where it runs.
  const asked: string[] = [];
  await page.route("https://apis.google.com/**", (route) => {
    asked.push(route.request().url());
    return route.abort("internetdisconnected");
  });
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in with Google" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Google" })).toHaveText(
    "Google's sign-in could not be reached. Try again, or sign in with your email and password.",
    { timeout: 30_000 },
  );
  expect(asked.length).toBeGreaterThan(0);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible(); // still nobody
});
