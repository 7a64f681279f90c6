// The admins' operations console against the local stack: a price changed in the catalogue editor is the
// shop's price, and a concurrent edit is shown as a conflict instead of overwriting; a dead letter that
// tests/e2e/test_web.py prepared (KIROKU_DEAD_LETTER_*) is inspected and replayed; writers and readers
// are kept out; the saga monitor keeps up as sagas move; and the console's list of dead-letter functions is
// the manifest's.
import { readFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { COMMAND_FUNCTIONS, EVENT_FUNCTIONS } from "../lib/kiroku/console-functions";
import { screenshot } from "./screenshots";
import { addToCart, checkOut, countNavigations, countRequests, signInAs } from "./steps";

const PAGE_SECONDS = 10;

/**
 * Opens a page the read models may not show yet, until they do. Each opening gets `PAGE_SECONDS` to render
 * and show it: a console page asks the API twice (the admin check, then its data), which a loaded machine
 * can take seconds to answer, so a shorter wait would only ever see the page still loading.
 */
async function openOnceShown(page: Page, path: string, shown: (timeout: number) => Promise<void>) {
  await expect(async () => {
    await page.goto(path);
    await shown(PAGE_SECONDS * 1000);
  }).toPass({ timeout: 90_000 });
}

/** Deletes a category no product uses in the catalogue editor. */
async function deleteCategory(page: Page, id: string, name: string) {
  await page.goto("/console/catalogue");
  const categories = page.getByRole("table", { name: "Categories" });
  await categories.getByRole("button", { name: `Delete category ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Yes, delete it" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Category ${id} deleted.` })).toBeVisible();
  await expect(categories.locator(`tr[data-category-id="${id}"]`)).toHaveCount(0);
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined) {
    throw new Error(`${name} is not set: tests/e2e/test_web.py prepares the dead letter and sets it`);
  }
  return value;
}

test("an admin creates a product, changes its price, stock and category in the console; the shop shows them, and a stale edit is a conflict", async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  const suffix = Date.now().toString(36);
  const categoryId = `console-${suffix}`;
  const productId = `console-tea-${suffix}`;
  await signInAs(page, "admin");
  await page.getByRole("link", { name: "Console" }).click();
  await expect(page.getByRole("heading", { name: "Operations console" })).toBeVisible();
  await page.getByRole("navigation", { name: "Console sections" }).getByRole("link", { name: "Catalogue" }).click();
  await expect(page.getByRole("table", { name: "Products" })).toBeVisible();

  const newCategory = page.getByRole("form", { name: "New category" });
  await newCategory.getByRole("textbox", { name: "Category id (optional)" }).fill(categoryId);
  await newCategory.getByRole("textbox", { name: "Category name" }).fill("Console tests");
  await newCategory.getByRole("button", { name: "Create category" }).click();
  await expect(newCategory.getByRole("status")).toHaveText(`Category ${categoryId} created. (version 1)`);
  await expect(page.getByRole("table", { name: "Categories" }).locator(`tr[data-category-id="${categoryId}"]`)).toBeVisible();

  const newProduct = page.getByRole("form", { name: "New product" });
  await newProduct.getByRole("textbox", { name: "Product id (optional)" }).fill(productId);
  await newProduct.getByRole("textbox", { name: "Product name" }).fill("Console Sencha");
  await newProduct.getByRole("textbox", { name: "Price" }).fill("10.00");
  await newProduct.getByRole("spinbutton", { name: "Initial stock" }).fill("5");
  await newProduct.getByRole("combobox", { name: "Category" }).click();
  await page.getByRole("option", { name: "Console tests" }).click();
  await newProduct.getByRole("button", { name: "Create product" }).click();
  await expect(newProduct.getByRole("status")).toHaveText(`Product ${productId} created. (version 1)`);

  const editor = `/console/catalogue/${productId}`;
  await openOnceShown(page, editor, (timeout) => expect(page.getByTestId("product-version")).toHaveText("version 1", { timeout }));
  const price = page.getByRole("form", { name: "Price" });
  await expect(price.getByRole("textbox", { name: "New price" })).toHaveValue("10.00");
  await price.getByRole("textbox", { name: "New price" }).fill("12.34");
  await price.getByRole("button", { name: "Change price" }).click();
  await expect(page.getByRole("form", { name: "Price" }).getByRole("textbox", { name: "New price" })).toHaveValue("12.34");
  await expect(page.getByTestId("product-version")).toHaveText("version 2");
  await expect(page.getByTestId("product-price")).toHaveText("€12.34");

  const shop = await context.newPage();
  await openOnceShown(shop, `/products/${productId}`, (timeout) => expect(shop.getByText("€12.34")).toBeVisible({ timeout }));
  await expect(shop.getByRole("heading", { name: "Console Sencha" })).toBeVisible();

  // Another admin's tab loads the product (version 2); this one changes the price meanwhile (version 3).
  const other = await context.newPage();
  await other.goto(editor);
  await expect(other.getByTestId("product-version")).toHaveText("version 2");
  await page.getByRole("form", { name: "Price" }).getByRole("textbox", { name: "New price" }).fill("13.00");
  await page.getByRole("form", { name: "Price" }).getByRole("button", { name: "Change price" }).click();
  await expect(page.getByTestId("product-version")).toHaveText("version 3");

  // The other tab's edit, made against version 2, is refused as a conflict, and overwrites nothing.
  const stale = other.getByRole("form", { name: "Price" });
  await stale.getByRole("textbox", { name: "New price" }).fill("9.99");
  await stale.getByRole("button", { name: "Change price" }).click();
  await expect(stale.getByTestId("conflict")).toContainText("Someone changed this record since you loaded it");
  await stale.getByRole("button", { name: "Load the latest version" }).click();
  await expect(other.getByTestId("product-version")).toHaveText("version 3");
  await expect(other.getByTestId("product-price")).toHaveText("€13.00");
  await expect(other.getByRole("form", { name: "Price" }).getByRole("textbox", { name: "New price" })).toHaveValue("13.00");
  await openOnceShown(shop, `/products/${productId}`, (timeout) => expect(shop.getByText("€13.00")).toBeVisible({ timeout }));

  // Stock received, then a count that found two fewer; a correction below nothing is refused in words.
  const restock = page.getByRole("form", { name: "Restock" });
  await restock.getByRole("spinbutton", { name: "Units received" }).fill("4");
  await restock.getByRole("button", { name: "Restock" }).click();
  await expect(page.getByTestId("product-version")).toHaveText("version 4");
  await expect(page.getByTestId("product-stock")).toHaveText("9 in stock");
  const correction = page.getByRole("form", { name: "Correct the stock" });
  await correction.getByRole("spinbutton", { name: "Units to add (or remove, below 0)" }).fill("-2");
  await correction.getByRole("textbox", { name: "Reason" }).fill("cycle count");
  await correction.getByRole("button", { name: "Correct the stock" }).click();
  await expect(page.getByTestId("product-version")).toHaveText("version 5");
  await expect(page.getByTestId("product-stock")).toHaveText("7 in stock");
  await correction.getByRole("spinbutton", { name: "Units to add (or remove, below 0)" }).fill("-8");
  await correction.getByRole("textbox", { name: "Reason" }).fill("miscount");
  await correction.getByRole("button", { name: "Correct the stock" }).click();
  await expect(correction.getByRole("alert")).toContainText("That would take the stock below what orders hold.");
  await expect(page.getByTestId("product-stock")).toHaveText("7 in stock");

  // Renamed in the catalogue editor: the shop's categories show the new name.
  await page.goto("/console/catalogue");
  const categories = page.getByRole("table", { name: "Categories" });
  await categories.getByRole("button", { name: "Edit category Console tests" }).click();
  const edit = page.getByRole("dialog").getByRole("form", { name: `Category ${categoryId}` });
  await edit.getByRole("textbox", { name: "Category name" }).fill("Console teas");
  await edit.getByRole("button", { name: "Save category" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(categories.locator(`tr[data-category-id="${categoryId}"]`)).toContainText("Console teas");
  await openOnceShown(shop, "/", (timeout) =>
    expect(shop.getByRole("navigation", { name: "Categories" }).getByRole("link", { name: "Console teas" })).toBeVisible({
      timeout,
    }),
  );

  // Deleted, and its category after it: the shop is as it was (the storefront's screenshot comes later).
  await page.goto(editor);
  await page.getByRole("button", { name: "Delete product" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Yes, delete it" }).click();
  await expect(page.getByText(`There is no product ${productId} (any more).`)).toBeVisible();
  await deleteCategory(page, categoryId, "Console teas");
});

test("an admin inspects a dead letter and replays it from the console once its cause is fixed", async ({ page }) => {
  test.setTimeout(180_000);
  const functionName = required("KIROKU_DEAD_LETTER_FUNCTION");
  const category = required("KIROKU_DEAD_LETTER_CATEGORY");
  const commandId = required("KIROKU_DEAD_LETTER_COMMAND");
  const replayedName = required("KIROKU_DEAD_LETTER_NAME");
  await signInAs(page, "admin");
  await page.goto("/console");

  // The health page counts every function's dead letters: this one's is there.
  await expect(page.getByTestId("dead-letter-total")).toBeVisible({ timeout: 90_000 });
  const depths = page.getByRole("group", { name: "Dead letters by function" });
  await expect(depths.getByRole("link", { name: new RegExp(`^${functionName}: [1-9]`) })).toBeVisible();
  await expect(page.getByTestId("api-readiness")).toHaveText("ready");
  await expect(page.getByRole("table", { name: "Projection lag" }).getByRole("row")).toHaveCount(4); // header, three models
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.screenshot({
    path: screenshot("console.png"),
    animations: "disabled",
    mask: [page.getByTestId("instant")],
    maskColor: "#e9e8e6",
  });

  await page.getByRole("button", { name: "Check now" }).click();
  await expect(page.getByTestId("integrity")).toHaveText("intact", { timeout: 30_000 }); // the damage was repaired

  await depths.getByRole("link", { name: new RegExp(`^${functionName}: `) }).click();
  await expect(page).toHaveURL(new RegExp(`/console/dead-letters\\?function=${functionName}$`));
  const letters = page.getByRole("table", { name: `Dead letters of ${functionName}` });
  const row = letters.getByRole("row").filter({ hasText: category }).first();
  await expect(row).toBeVisible({ timeout: 30_000 });
  const messageId = await row.getAttribute("data-message-id");
  expect(messageId).toBeTruthy();

  await row.getByRole("button", { name: `Inspect ${messageId}` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("dead-letter-body")).toContainText(commandId);
  await expect(dialog).toContainText(`UpdateCategory for Category ${category}`);
  await dialog.getByRole("button", { name: "Close" }).click();

  await row.getByRole("button", { name: `Replay ${messageId}` }).click();
  await expect(page.getByTestId("dead-letter-outcome")).toHaveText(`${functionName}: replayed 1 dead letter.`);
  await expect(letters.locator(`tr[data-message-id="${messageId}"]`)).toHaveCount(0);

  // Applied once: the category's stream holds the update after its creation, and nothing more.
  const events = page.getByRole("table", { name: `Events of Category ${category}` });
  await openOnceShown(page, `/console/events?type=Category&id=${category}`, (timeout) =>
    expect(events.getByRole("row")).toHaveCount(3, { timeout }),
  );
  await expect(events.getByRole("rowheader")).toHaveText(["CategoryCreated", "CategoryUpdated"]);
  await expect(events.getByRole("row").nth(2)).toContainText(commandId); // caused by the replayed command
  await openOnceShown(page, "/", (timeout) =>
    expect(page.getByRole("navigation", { name: "Categories" }).getByRole("link", { name: replayedName })).toBeVisible({
      timeout,
    }),
  );
  await deleteCategory(page, category, replayedName);
});

test("an admin follows a completed order from all orders to its saga's timeline, the order's events and its trace", async ({ page }) => {
  // The checkout tests ran first: the demo writer has completed orders.
  await signInAs(page, "admin");
  await page.goto("/console/orders?status=COMPLETED");
  const orders = page.getByRole("table", { name: "All orders" });
  await expect(orders.getByRole("row").nth(1)).toBeVisible();
  for (const status of await orders.getByTestId("status").allInnerTexts()) {
    expect(status).toBe("COMPLETED");
  }
  const orderId = await orders.getByRole("row").nth(1).getAttribute("data-order-id");
  expect(orderId).toBeTruthy();
  await orders.getByRole("link", { name: orderId ?? "" }).click();

  await expect(page.getByRole("heading", { name: `Saga of order ${orderId}` })).toBeVisible();
  const timeline = page.getByRole("table", { name: "Saga timeline" });
  await expect(timeline.getByRole("rowheader").first()).toHaveText("SagaStarted");
  await expect(timeline.getByRole("rowheader").last()).toHaveText("SagaEnded");
  await expect(timeline.getByRole("row").filter({ hasText: "ProcessPayment" }).first()).toBeVisible();

  const traceHref = await page.getByRole("link", { name: "The order's trace" }).getAttribute("href");
  await page.getByRole("link", { name: "The order's events" }).click();
  const events = page.getByRole("table", { name: `Events of Order ${orderId}` });
  await expect(events.getByRole("rowheader").first()).toHaveText("OrderPlaced");
  await expect(events.getByRole("row").nth(1)).toContainText("writer");

  // The order's conversation, from its first event's correlation id (the saga's page links to the same):
  // every hop's span, the request first.
  const fromEvent = events.getByRole("row").nth(1).getByRole("link", { name: /^Trace of / });
  await expect(fromEvent).toHaveAttribute("href", traceHref ?? "");
  await fromEvent.click();
  await expect(page.getByRole("heading", { name: /^Trace of / })).toBeVisible();
  const trace = page.getByRole("table", { name: "Trace" });
  await expect(trace.getByRole("row").nth(1)).toHaveAttribute("data-function", "graphql");
  await expect(trace.locator('tr[data-function="place-order"]').first()).toContainText("PlaceOrder");
  await expect(trace.locator('tr[data-function="process-payment"]').first()).toContainText("ProcessPayment");

  await page.goto("/console/sagas?status=COMPLETED");
  const sagas = page.getByRole("table", { name: "Sagas" });
  await expect(sagas.getByRole("row").nth(1)).toBeVisible();
  for (const status of await sagas.getByTestId("status").allInnerTexts()) {
    expect(status).toBe("COMPLETED");
  }
});

test("the saga monitor counts a new order's saga and reads its page again as the saga moves, without reloading", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  await page.goto("/console/sagas");
  const all = page.getByTestId("sagas-all");
  const completed = page.getByTestId("sagas-completed");
  await expect(all).toHaveText(/^\d+$/);
  const [before, completedBefore] = [Number(await all.innerText()), Number(await completed.innerText())];
  const navigations = countNavigations(page);
  const listRead = countRequests(page, "ConsoleSagas");

  // A writer orders meanwhile, in a browser of their own.
  const shopper = await browser.newContext({ baseURL });
  try {
    const writer = await shopper.newPage();
    await signInAs(writer, "writer");
    await addToCart(writer, "coffee-colombia-huila", 1);
    await checkOut(writer, "tok_ok");
  } finally {
    await shopper.close();
  }

  await expect.poll(async () => Number(await all.innerText()), { timeout: 60_000 }).toBeGreaterThan(before);
  await expect.poll(async () => Number(await completed.innerText()), { timeout: 60_000 }).toBeGreaterThan(completedBefore);
  await expect(page.getByTestId("saga-monitor")).toHaveAttribute("data-followed", "pushed");
  expect(listRead()).toBeGreaterThan(0);
  expect(navigations()).toBe(0);
});

test("a writer cannot reach the console, nor can a reader", async ({ page }) => {
  const adminReads: string[] = [];
  page.on("request", (request) => {
    if (request.url().endsWith("/api/graphql") && request.method() === "POST") {
      const name = /^\s*(?:query|mutation) (\w+)/.exec((request.postDataJSON() as { query?: string }).query ?? "")?.[1];
      if (name?.startsWith("Console") && name !== "ConsoleAccess") {
        adminReads.push(name);
      }
    }
  });
  await page.goto("/console");
  await expect(page.getByTestId("admins-only")).toContainText("The operations console is for admins only.");
  await expect(page.getByTestId("admins-only").getByRole("link", { name: "Sign in as an admin" })).toBeVisible();

  await signInAs(page, "writer");
  await expect(page.getByRole("link", { name: "My orders" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Console" })).toHaveCount(0);
  for (const path of ["/console", "/console/catalogue", "/console/dead-letters?function=update-category", "/console/sagas"]) {
    await page.goto(path);
    await expect(page.getByTestId("admins-only")).toHaveText(
      "The operations console is for admins only. Your account is not an admin's.",
    );
    await expect(page.getByRole("navigation", { name: "Console sections" })).toHaveCount(0);
    await expect(page.getByRole("table")).toHaveCount(0);
  }
  expect(adminReads).toEqual([]);
  const readiness = await page.request.get("/console/readiness");
  expect(readiness.status()).toBe(403);
});

test("the console lists every topic-triggered function of manifest.yaml for its dead letters", () => {
  // Each function of the manifest is a `- name:` block; a topic-triggered one says `type: topic`.
  const blocks = readFileSync("../manifest.yaml", "utf8").split(/\n  - name: /).slice(1);
  const topicFunctions = blocks
    .filter((block) => /\btype: topic\b/.test(block))
    .map((block) => block.split("\n")[0]?.trim());
  expect([...COMMAND_FUNCTIONS, ...EVENT_FUNCTIONS].sort()).toEqual(topicFunctions.sort());
  const fedByCommands = blocks.filter((block) => /topic: commands\b/.test(block)).map((block) => block.split("\n")[0]?.trim());
  expect([...COMMAND_FUNCTIONS].sort()).toEqual(fedByCommands.sort());
});
