// The functions that can have dead letters: manifest.yaml's topic-triggered functions, by the topic that
// feeds them. The API names none of them (deadLetters takes a name), so the console keeps the list, and
// web/tests/console.spec.ts holds it equal to the manifest. replayDeadLetters republishes commands only:
// an event function's letters are replayed with `kiroku dead-letters replay`.
export const COMMAND_FUNCTIONS = [
  "create-category",
  "update-category",
  "delete-category",
  "create-product",
  "update-product",
  "change-price",
  "restock-product",
  "adjust-stock",
  "delete-product",
  "place-order",
  "cancel-order",
  "mark-order-reserved",
  "start-order-shipping",
  "complete-order",
  "confirm-order-cancellation",
  "reserve-stock",
  "release-reservation",
  "commit-reservation",
  "process-payment",
  "refund-payment",
  "ship-order",
] as const;

export const EVENT_FUNCTIONS = [
  "saga-on-reservation",
  "saga-on-payment",
  "saga-on-shipment",
  "saga-on-order",
  "project-categories",
  "project-products",
  "project-orders",
] as const;

export function replayable(functionName: string): boolean {
  return (COMMAND_FUNCTIONS as readonly string[]).includes(functionName);
}
