// The writer's buying path against the local stack (demo catalogue, the fake payment gateway): cart,
// checkout, the order followed live, a declined card, and cancelling from "my orders".
import { expect, test, type Page } from "@playwright/test";

import { screenshot } from "./screenshots";
import { addToCart, checkOut, countNavigations, countRequests, operation, signInAs } from "./steps";

/** Cut every subscription the page opens, as a proxy that does not pass event streams would. */
async function refuseStreams(page: Page): Promise<void> {
  await page.route("**/api/graphql", async (route) => {
    if (operation(route.request()) === "OrderLive") {
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
}

test("a reader is sent to sign in at checkout, and comes back to it", async ({ page }) => {
  await page.goto("/checkout");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcheckout|\/sign-in\?next=\/checkout/);

  await addToCart(page, "tea-genmaicha", 1);
  await page.getByRole("link", { name: /^Cart, 1 item/ }).click();
  await page.getByRole("link", { name: "Sign in to check out" }).click();
  await page.getByRole("button", { name: "Sign in as the demo writer" }).click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByRole("heading", { name: "Checkout" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Order summary" })).toContainText("1 × Genmaicha");
});

test("a writer fills a cart, checks out (a lost answer retried with the same commandId) and watches the order complete live", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signInAs(page, "writer");
  await addToCart(page, "tea-genmaicha", 2);
  await expect(page.getByTestId("cart-count")).toHaveText("2");
  await addToCart(page, "books-the-book-of-tea", 1);
  await expect(page.getByTestId("cart-count")).toHaveText("3");

  await page.getByRole("link", { name: /^Cart, 3 items/ }).click();
  const cart = page.getByRole("table", { name: "Your cart" });
  await expect(cart.getByRole("row")).toHaveCount(3); // the header and two lines
  await expect(page.getByTestId("cart-total")).toHaveText("€28.90"); // 2 × 9.50 + 9.90, exactly
  const quantity = page.getByRole("spinbutton", { name: "Quantity of Genmaicha" });
  await quantity.fill(""); // cleared to type another: nothing changes yet
  await expect(page.getByTestId("cart-total")).toHaveText("€28.90");
  await quantity.pressSequentially("3");
  await expect(page.getByTestId("cart-total")).toHaveText("€38.40");
  await page.getByRole("button", { name: "Remove The Book of Tea" }).click();
  await expect(cart.getByRole("row")).toHaveCount(2);
  await expect(page.getByTestId("cart-total")).toHaveText("€28.50");
  await expect(page.getByTestId("cart-count")).toHaveText("3");

  // The first placeOrder reaches the API but its answer is lost: the customer clicks again.
  const commandIds: string[] = [];
  let lost = false;
  await page.route("**/api/graphql", async (route) => {
    const request = route.request();
    if (operation(request) !== "PlaceOrder") {
      return route.fallback();
    }
    const { variables } = request.postDataJSON() as { variables: { commandId: string } };
    commandIds.push(variables.commandId);
    if (!lost) {
      lost = true;
      await route.fetch(); // the API receives it and places the order
      return route.abort("connectionreset");
    }
    return route.fallback();
  });
  const progressAsked = countRequests(page, "OrderProgress");
  await page.getByRole("link", { name: "Check out" }).click();
  await page.getByRole("textbox", { name: "Shipping address" }).fill("Writer, 1 Demo Street, 100-0001 Tokyo, Japan");
  await page.getByRole("button", { name: "A card that pays (tok_ok)" }).click();
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "could not reach" })).toHaveText(
    "We could not reach the shop. Check your connection and try again.",
  );
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/orders\/[^/?]+$/);
  expect(commandIds).toHaveLength(2);
  expect(commandIds[1]).toBe(commandIds[0]); // one attempt, one id: the API has one order for it

  // Live: the page follows the order without ever reloading.
  const navigations = countNavigations(page);
  const progress = page.getByRole("list", { name: "Order progress" });
  await expect(page.getByTestId("order-status")).toHaveText("Completed", { timeout: 90_000 });
  await expect(progress.getByRole("listitem")).toHaveText([
    /Order placed/,
    /Items reserved/,
    /Paid and handed to the carrier/,
    /Completed/,
  ]);
  for (const item of await progress.getByRole("listitem").all()) {
    await expect(item).toHaveAttribute("data-state", "done");
  }
  expect(navigations()).toBe(0);
  expect(progressAsked()).toBeGreaterThan(0);
  await expect(page.getByTestId("order-total")).toHaveText("€28.50"); // the API's total
  await expect(page.getByRole("region", { name: "Order lines" })).toContainText("3 × Genmaicha at €9.50");
  await expect(page.getByTestId("cart-count")).toHaveText("0"); // the cart was ordered
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({
    path: screenshot("checkout.png"),
    animations: "disabled",
    mask: [page.getByTestId("step-time"), page.getByTestId("order-placed-at")],
    maskColor: "#e9e8e6",
  });

  // It stopped asking once the order was settled.
  const askedWhenSettled = progressAsked();
  await page.waitForTimeout(3_000);
  expect(progressAsked()).toBe(askedWhenSettled);
});

test("the order page shows the order's steps as the API pushes them, without reloading", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "writer");
  await addToCart(page, "coffee-colombia-huila", 1);
  const followed = countRequests(page, "OrderLive");
  // tok_slow: the fake gateway charges the card but answers 2 s late, so the order is seen on its way.
  await checkOut(page, "tok_slow");
  const navigations = countNavigations(page);
  const status = page.getByTestId("order-status");
  await expect(status).toHaveText(/^(Placed|Items reserved|Paid|Shipping)$/);
  // On its way, the page follows the order's stream (a subscription over Server-Sent Events).
  await expect(status).toHaveAttribute("data-followed", "pushed");
  await expect(page.getByRole("list", { name: "Order progress" }).locator('[data-state="current"]')).toHaveCount(1);
  await expect(status).toHaveText("Completed", { timeout: 90_000 });
  expect(navigations()).toBe(0);
  expect(followed()).toBeGreaterThan(0);
});

test("the order page falls back to asking again when its stream is refused", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "writer");
  await addToCart(page, "coffee-colombia-huila", 1);
  // No stream can be had (a proxy that cuts them, say): the page keeps up by asking.
  await refuseStreams(page);
  const progressAsked = countRequests(page, "OrderProgress");
  await checkOut(page, "tok_slow");
  const status = page.getByTestId("order-status");
  await expect(status).toHaveAttribute("data-followed", "asked");
  await expect(status).toHaveText("Completed", { timeout: 90_000 });
  expect(progressAsked()).toBeGreaterThan(1);
});

test("a declined card shows its reason in words", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "writer");
  await addToCart(page, "tea-sencha-classic", 1);
  await checkOut(page, "tok_decline");
  await expect(page.getByTestId("order-status")).toHaveText("Cancelled", { timeout: 90_000 });
  await expect(page.getByTestId("cancel-reason")).toHaveText(
    "Your card was declined, so the order was cancelled. Nothing was charged.",
  );
  await expect(page.getByText("PAYMENT_DECLINED")).toHaveCount(0);
  const progress = page.getByRole("list", { name: "Order progress" });
  await expect(progress.getByRole("listitem")).toHaveText([/Order placed/, /Items reserved/, /Cancelled/]);
  await expect(page.getByTestId("cart-count")).toHaveText("0");

  // Another card: the cancelled order's items go back in the cart.
  await page.getByRole("button", { name: "Put these items back in your cart" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await expect(page.getByRole("table", { name: "Your cart" }).getByRole("row")).toHaveText([/Item/, /Sencha Classic/]);
  await expect(page.getByTestId("cart-total")).toHaveText("€12.00");
});

test("an order for more than the stock is cancelled as out of stock, in words", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "writer");
  await addToCart(page, "tea-gyokuro-uji", 1); // three in stock
  await page.goto("/cart");
  const quantity = page.getByRole("spinbutton", { name: "Quantity of Gyokuro Uji" });
  await quantity.fill("5");
  await expect(page.getByTestId("cart-total")).toHaveText("€260.00");
  await checkOut(page, "tok_ok");
  await expect(page.getByTestId("order-status")).toHaveText("Cancelled", { timeout: 90_000 });
  await expect(page.getByTestId("cancel-reason")).toHaveText(
    "Part of your order was out of stock, so it was cancelled. Nothing was charged.",
  );
  await expect(page.getByText("OUT_OF_STOCK")).toHaveCount(0);
});

test("a writer cancels an order from my orders while its payment is pending", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "writer");
  await addToCart(page, "tea-matcha-culinary", 1);
  // Followed by asking, as when no stream can be had: how the page asks is what a hidden tab changes.
  await refuseStreams(page);
  // The fake gateway never answers tok_timeout: the order waits at the payment, cancellable.
  const orderId = await checkOut(page, "tok_timeout");
  const progress = page.getByRole("list", { name: "Order progress" });
  await expect(progress.getByRole("listitem").filter({ hasText: "Items reserved" })).toHaveAttribute(
    "data-state",
    "done",
  );
  await expect(progress.getByRole("listitem").filter({ hasText: "Paid and handed to the carrier" })).toHaveAttribute(
    "data-state",
    "current",
  );

  // A hidden tab stops asking; shown again, it asks at once.
  const asked = countRequests(page, "OrderProgress");
  const setHidden = (hidden: boolean) =>
    page.evaluate((value) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => value });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  await setHidden(true);
  await page.waitForTimeout(1_000); // a request already under way may still leave
  const hiddenFrom = asked();
  await page.waitForTimeout(10_000); // longer than the slowest poll
  expect(asked()).toBe(hiddenFrom);
  await setHidden(false);
  await expect.poll(asked, { timeout: 3_000 }).toBeGreaterThan(hiddenFrom);

  await page.getByRole("link", { name: "My orders" }).click();
  await expect(page.getByRole("heading", { name: "My orders" })).toBeVisible();
  const row = page.locator(`tr[data-order-id="${orderId}"]`);
  await expect(page.getByRole("table", { name: "Your orders" }).getByRole("row").nth(1)).toHaveAttribute(
    "data-order-id",
    orderId,
  ); // newest first
  await expect(row.getByTestId("order-row-status")).not.toHaveText(/Cancel/);
  const label = orderId.slice(0, 8).toUpperCase();
  await row.getByRole("button", { name: `Cancel order ${label}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Yes, cancel it" }).click();
  await expect(page.getByRole("status").filter({ hasText: label })).toHaveText(
    `Order ${label} is being cancelled: anything charged is refunded and the items go back on the shelf.`,
  );
  await expect(row.getByTestId("order-row-status")).toHaveText(/^(Cancelling|Cancelled)$/);
  await expect(row.getByRole("button", { name: `Cancel order ${label}` })).toHaveCount(0);

  await row.getByRole("link", { name: label }).click();
  await page.waitForURL(new RegExp(`/orders/${orderId}$`));
  await expect(page.getByTestId("order-status")).toHaveText("Cancelled", { timeout: 120_000 });
  await expect(page.getByTestId("cancel-reason")).toHaveText("You cancelled this order. Anything charged is refunded.");
});

test("my orders pages forward with the API's cursors, newest first", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "writer");
  // Enough orders for two pages of ten, placed straight through the API with the writer's own token.
  const token = await page.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const opened = indexedDB.open("firebaseLocalStorageDb");
        opened.onerror = () => reject(new Error("no Firebase session in IndexedDB"));
        opened.onsuccess = () => {
          const read = opened.result.transaction("firebaseLocalStorage").objectStore("firebaseLocalStorage").getAll();
          read.onsuccess = () => {
            const user = (read.result as { value: { stsTokenManager?: { accessToken: string } } }[]).find(
              (each) => each.value.stsTokenManager,
            );
            if (user?.value.stsTokenManager) {
              resolve(user.value.stsTokenManager.accessToken);
            } else {
              reject(new Error("no signed-in user in IndexedDB"));
            }
          };
        };
      }),
  );
  const api = async (query: string, variables: Record<string, unknown> = {}) => {
    const answer = await page.request.post("/api/graphql", {
      headers: { Authorization: `Bearer ${token}` },
      data: { query, variables },
    });
    return (await answer.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };
  const placedIds: string[] = [];
  for (let placed = 0; placed < 11; placed += 1) {
    const answer = await api(
      "mutation($input: PlaceOrderInput!) { placeOrder(input: $input, wait: false) { status aggregateId } }",
      {
        input: {
          lines: [{ productId: "books-the-book-of-tea", quantity: 1 }],
          paymentToken: "tok_ok",
          shippingAddress: "Writer, 1 Demo Street, 100-0001 Tokyo, Japan",
        },
      },
    );
    const { status, aggregateId } = (answer.data?.placeOrder ?? {}) as { status?: string; aggregateId?: string };
    expect(status).toBe("PENDING");
    placedIds.push(aggregateId ?? "");
  }
  // The list is a read model: wait until it shows every order placed.
  await expect
    .poll(async () => {
      const listed = await api("{ orders(first: 100) { edges { node { id } } } }");
      const edges = ((listed.data?.orders ?? { edges: [] }) as { edges: { node: { id: string } }[] }).edges;
      const ids = new Set(edges.map((edge) => edge.node.id));
      return placedIds.filter((id) => !ids.has(id));
    })
    .toEqual([]);

  await page.goto("/orders");
  const rows = page.getByRole("table", { name: "Your orders" }).getByRole("row");
  await expect(rows).toHaveCount(11); // the header and ten orders
  const first = await rows.evaluateAll((each) => each.slice(1).map((row) => row.getAttribute("data-order-id")));
  const placedAt = await rows.locator("time").evaluateAll((each) =>
    each.map((time) => Date.parse(time.getAttribute("datetime") ?? "")),
  );
  expect(placedAt).toHaveLength(10);
  expect(placedAt.every(Number.isFinite)).toBe(true);
  expect(placedAt).toEqual([...placedAt].sort((a, b) => b - a)); // newest first
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/\/orders\?after=/);
  await expect(page.getByRole("link", { name: "First page" })).toBeVisible();
  await expect(rows.nth(1)).toBeVisible();
  const second = await rows.evaluateAll((each) => each.slice(1).map((row) => row.getAttribute("data-order-id")));
  expect(second.length).toBeGreaterThan(0);
  expect(second.filter((id) => first.includes(id))).toEqual([]);
  await page.getByRole("link", { name: "First page" }).click();
  await expect(page).toHaveURL(/\/orders$/);
  await expect(rows).toHaveCount(11);
});
