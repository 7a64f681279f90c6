"use client";
// The cart, in the browser's localStorage (shared by the tabs of one browser, kept across reloads), and
// the checkout attempt: the commandId a placeOrder is sent with, kept with the order it was made for, so
// a retried click or a reload sends the same id (the API then has one order, and answers its first
// outcome) while a changed cart or address gets a new one.
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from "react";

import { multiplyAmount, sumAmounts } from "../kiroku/money";

export interface CartLine {
  productId: string;
  name: string;
  /** The unit price when added: an exact decimal string. The order captures the catalogue's price. */
  unitPrice: string;
  currency: string;
  quantity: number;
}

export const MAX_QUANTITY = 99;

export interface Cart {
  /** Whether the stored cart has been read (it is empty before). */
  ready: boolean;
  lines: CartLine[];
  count: number;
  /** The exact sum of the lines per currency, in the order the currencies appear. */
  totals: { currency: string; amount: string }[];
  add(line: Omit<CartLine, "quantity">, quantity: number): void;
  setQuantity(productId: string, quantity: number): void;
  remove(productId: string): void;
  clear(): void;
}

const CART_KEY = "kiroku.cart.v1";
const ATTEMPT_KEY = "kiroku.checkout.v1";

function clamp(quantity: number): number {
  return Math.min(MAX_QUANTITY, Math.max(1, Math.trunc(quantity)));
}

function isLine(value: unknown): value is CartLine {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const line = value as Record<string, unknown>;
  return (
    typeof line.productId === "string" &&
    typeof line.name === "string" &&
    typeof line.unitPrice === "string" &&
    typeof line.currency === "string" &&
    typeof line.quantity === "number" &&
    Number.isInteger(line.quantity) &&
    line.quantity >= 1
  );
}

function parseCart(stored: string | null): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(stored ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isLine) : [];
  } catch {
    return [];
  }
}

function readCart(): CartLine[] {
  return parseCart(window.localStorage.getItem(CART_KEY));
}

// The stored cart as an external store: this tab's writes and other tabs' (the storage event).
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const changed = (event: StorageEvent) => {
    if (event.key === CART_KEY || event.key === null) {
      listener();
    }
  };
  window.addEventListener("storage", changed);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", changed);
  };
}

function writeCart(lines: CartLine[]): void {
  window.localStorage.setItem(CART_KEY, JSON.stringify(lines));
  for (const listener of listeners) {
    listener();
  }
}

export function lineTotal(line: CartLine): string {
  return multiplyAmount(line.unitPrice, line.quantity);
}

function totalsOf(lines: CartLine[]): { currency: string; amount: string }[] {
  const currencies = [...new Set(lines.map((line) => line.currency))];
  return currencies.map((currency) => ({
    currency,
    amount: sumAmounts(lines.filter((line) => line.currency === currency).map(lineTotal)),
  }));
}

const CartContext = createContext<Cart | null>(null);

export function CartProvider({ children }: { children: ReactNode }) {
  // null on the server and in the first render: the stored cart exists only in the browser.
  const stored = useSyncExternalStore(
    subscribe,
    () => window.localStorage.getItem(CART_KEY) ?? "[]",
    () => null,
  );
  const ready = stored !== null;
  const lines = useMemo(() => parseCart(stored), [stored]);
  const update = useCallback((change: (lines: CartLine[]) => CartLine[]) => writeCart(change(readCart())), []);

  const cart = useMemo<Cart>(
    () => ({
      ready,
      lines,
      count: lines.reduce((count, line) => count + line.quantity, 0),
      totals: totalsOf(lines),
      add: (line, quantity) =>
        update((current) =>
          current.some((each) => each.productId === line.productId)
            ? current.map((each) =>
                each.productId === line.productId
                  ? { ...each, ...line, quantity: clamp(each.quantity + quantity) }
                  : each,
              )
            : [...current, { ...line, quantity: clamp(quantity) }],
        ),
      setQuantity: (productId, quantity) =>
        update((current) =>
          current.map((each) => (each.productId === productId ? { ...each, quantity: clamp(quantity) } : each)),
        ),
      remove: (productId) => update((current) => current.filter((each) => each.productId !== productId)),
      clear: () => update(() => []),
    }),
    [lines, ready, update],
  );
  return <CartContext.Provider value={cart}>{children}</CartContext.Provider>;
}

export function useCart(): Cart {
  const cart = useContext(CartContext);
  if (cart === null) {
    throw new Error("useCart outside CartProvider");
  }
  return cart;
}

interface Attempt {
  commandId: string;
  /** The order the id was made for (its lines, token and address): another order needs another id. */
  order: string;
}

function readAttempt(): Attempt | null {
  try {
    const stored = JSON.parse(window.localStorage.getItem(ATTEMPT_KEY) ?? "null") as Attempt | null;
    return stored !== null && typeof stored.commandId === "string" && typeof stored.order === "string"
      ? stored
      : null;
  } catch {
    return null;
  }
}

/** The commandId for placing this order: the one an earlier attempt at the same order used, else new. */
export function attemptFor(order: unknown): string {
  const key = JSON.stringify(order);
  const earlier = readAttempt();
  if (earlier !== null && earlier.order === key) {
    return earlier.commandId;
  }
  const attempt: Attempt = { commandId: crypto.randomUUID(), order: key };
  window.localStorage.setItem(ATTEMPT_KEY, JSON.stringify(attempt));
  return attempt.commandId;
}

/** Once the order of an attempt is placed: forget the attempt, and empty the cart it was made of. */
export function finishAttempt(commandId: string, cart: Cart): void {
  const earlier = readAttempt();
  if (earlier !== null && earlier.commandId === commandId) {
    window.localStorage.removeItem(ATTEMPT_KEY);
    cart.clear();
  }
}
