// What a shopper or an admin does in the app, and what a test counts of it, shared by the specs.
import { expect, type Page, type Request } from "@playwright/test";

export async function signInAs(page: Page, role: "admin" | "writer") {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: `Sign in as the demo ${role}` }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(`${role}@kiroku.local`);
}

export async function addToCart(page: Page, productId: string, quantity: number) {
  await page.goto(`/products/${productId}`);
  await page.getByRole("spinbutton", { name: "Quantity" }).fill(String(quantity));
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("status")).toContainText(`Added ${quantity} to your cart.`);
}

/** Checkout with a demo card; resolves once on the order's page, with the order's id. */
export async function checkOut(page: Page, token: string): Promise<string> {
  await page.goto("/checkout");
  await page.getByRole("textbox", { name: "Shipping address" }).fill("Writer, 1 Demo Street, 100-0001 Tokyo, Japan");
  await page.getByRole("button", { name: new RegExp(`\\(${token}\\)`) }).click();
  await expect(page.getByRole("textbox", { name: "Payment token" })).toHaveValue(token);
  await page.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/orders\/[^/?]+$/);
  return decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
}

export function operation(request: Request): string | null {
  if (!request.url().endsWith("/api/graphql") || request.method() !== "POST") {
    return null;
  }
  const body = request.postDataJSON() as { query?: string };
  return /^\s*(?:query|mutation|subscription) (\w+)/.exec(body.query ?? "")?.[1] ?? null;
}

/** How many requests of the named GraphQL operation the page sent from now on. */
export function countRequests(page: Page, name: string): () => number {
  let count = 0;
  page.on("request", (request) => {
    if (operation(request) === name) {
      count += 1;
    }
  });
  return () => count;
}

/** How many times the page's main frame navigated from now on (a reload would count). */
export function countNavigations(page: Page): () => number {
  let count = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) {
      count += 1;
    }
  });
  return () => count;
}
