// The API's refusals in an operator's words: the catalogue rules an admin can run into, and a stale
// version (someone changed the record since the form was loaded) told apart from every other refusal,
// so the form offers the latest record instead of overwriting it. The rest reads as a customer's error.
import { KirokuError } from "./client";
import { describeError } from "./errors";

const BY_REASON: Record<string, string> = {
  STALE_VERSION: "Someone changed this record since you loaded it, so your change was not applied.",
  ALREADY_EXISTS: "That id is already taken.",
  INVALID_PRICE: "The price must be above zero, with at most the currency's decimals.",
  UNKNOWN_CATEGORY: "That category does not exist.",
  CATEGORY_IN_USE: "Products still use this category.",
  STOCK_RESERVED: "Orders hold stock of this product: it cannot be deleted now.",
  INSUFFICIENT_STOCK: "That would take the stock below what orders hold.",
  INVALID_QUANTITY: "The quantity is out of range.",
  INVALID_INPUT: "Some details were not accepted.",
  NOT_FOUND: "That record no longer exists.",
};

/** Whether the API refused a change made against an older version of the record. */
export function isStale(error: unknown): boolean {
  return error instanceof KirokuError && error.reason === "STALE_VERSION";
}

/** Any error a console call threw, in words, with the API's own message when it names a field. */
export function describeConsoleError(error: unknown): string {
  if (error instanceof KirokuError) {
    const words = (error.reason !== undefined ? BY_REASON[error.reason] : undefined) ?? describeError(error);
    return error.field ? `${words} (${error.field}: ${error.message})` : words;
  }
  return describeError(error);
}
