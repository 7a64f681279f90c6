// What the API's refusals and an order's fate mean to a customer: the one place that turns codes
// (GraphQL error codes and reasons, a rejected command's code, an order's cancel reason, a saga's step)
// into words. Pages show these, never a raw code.
import { KirokuError } from "./client";

/** A rejected command's error as the API answers it (CommandResult.error). */
export interface CommandProblem {
  code: string;
  message: string;
  field?: string | null;
}

const BY_REASON: Record<string, string> = {
  INSUFFICIENT_STOCK: "There is not enough of this item in stock.",
  OUT_OF_STOCK: "Part of your order is out of stock.",
  UNKNOWN_PRODUCT: "An item in your cart is no longer sold. Remove it and try again.",
  PRODUCT_UNAVAILABLE: "An item in your cart is no longer available. Remove it and try again.",
  CURRENCY_MISMATCH: "Items priced in different currencies cannot be ordered together.",
  INVALID_QUANTITY: "That quantity is more than one order can take.",
  ORDER_NOT_CANCELLABLE: "This order is already on its way (or done) and can no longer be cancelled.",
  ALREADY_EXISTS: "This order was already placed.",
  COMMAND_ID_REUSED: "Your cart changed while the order was being sent. Please place it again.",
  NOT_FOUND: "We could not find that order.",
  STALE_VERSION: "Something changed meanwhile. Reload the page and try again.",
};

const BY_FIELD: Record<string, string> = {
  paymentToken: "Check the card details: the payment token is missing or too long.",
  shippingAddress: "Check the shipping address: it is missing or too long.",
  lines: "Check your cart: an item or its quantity is not accepted.",
};

const BY_CODE: Record<string, string> = {
  UNAUTHENTICATED: "Your session has ended. Please sign in again.",
  FORBIDDEN: "Your account may not do this.",
  BAD_USER_INPUT: "Some details were not accepted. Check them and try again.",
  NOT_FOUND: "We could not find that.",
  CONFLICT: "Something changed meanwhile. Reload the page and try again.",
  RATE_LIMITED: "Too many requests just now. Wait a moment and try again.",
  INTERNAL: "Something went wrong on our side. Try again in a moment.",
};

const UNREACHABLE = "We could not reach the shop. Check your connection and try again.";

function byField(field: string | null | undefined): string | undefined {
  if (!field) {
    return undefined;
  }
  const head = field.split(".")[0] ?? field;
  return BY_FIELD[head];
}

/** Any error an API call threw, in the customer's words. */
export function describeError(error: unknown): string {
  if (error instanceof KirokuError) {
    return (
      (error.reason !== undefined ? BY_REASON[error.reason] : undefined) ??
      byField(error.field) ??
      BY_CODE[error.code] ??
      BY_CODE.INTERNAL!
    );
  }
  return UNREACHABLE; // fetch failed, or an answer that is not the API's JSON
}

/** A rejected command (CommandResult.error), in the customer's words. */
export function describeRejection(problem: CommandProblem): string {
  return BY_REASON[problem.code] ?? byField(problem.field) ?? "The shop could not accept this. Check the details and try again.";
}

/** Whether the error means the user must sign in (again). */
export function needsSignIn(error: unknown): boolean {
  return error instanceof KirokuError && error.code === "UNAUTHENTICATED";
}

const CANCEL_REASONS: Record<string, string> = {
  OUT_OF_STOCK: "Part of your order was out of stock, so it was cancelled. Nothing was charged.",
  PRODUCT_UNAVAILABLE: "An item of your order is no longer sold, so it was cancelled. Nothing was charged.",
  PAYMENT_DECLINED: "Your card was declined, so the order was cancelled. Nothing was charged.",
  PAYMENT_FAILED: "We could not take the payment, so the order was cancelled. Anything charged is refunded.",
  SHIPPING_FAILED: "The carrier could not take the shipment, so the order was cancelled and your payment refunded.",
  CANCELLED_BY_CUSTOMER: "You cancelled this order. Anything charged is refunded.",
  CANCELLED_BY_ADMIN: "The shop cancelled this order. Anything charged is refunded.",
  DEADLINE_EXCEEDED: "The order could not be completed in time, so it was cancelled. Anything charged is refunded.",
};

/** Why an order was cancelled (Order.cancelReason or Saga.failure), in the customer's words. */
export function describeCancelReason(reason: string | null | undefined): string {
  return (reason ? CANCEL_REASONS[reason] : undefined) ?? "The order was cancelled.";
}

const STATUSES: Record<string, string> = {
  PLACED: "Placed",
  RESERVED: "Items reserved",
  PAID: "Paid",
  SHIPPING: "Shipping",
  COMPLETED: "Completed",
  CANCELLING: "Cancelling",
  CANCELLED: "Cancelled",
};

export function describeStatus(status: string): string {
  return STATUSES[status] ?? "In progress";
}

const STEPS: Record<string, string> = {
  RESERVING: "Reserving your items",
  PAYING: "Taking the payment",
  SHIPPING: "Handing your parcel to the carrier",
  COMPLETING: "Completing your order",
  AWAITING_PAYMENT: "Waiting for the payment to settle before undoing it",
  AWAITING_SHIPMENT: "Waiting for the carrier's answer before undoing the order",
  REFUNDING: "Refunding your payment",
  RELEASING: "Putting the reserved items back on the shelf",
  CANCELLING: "Cancelling the order",
};

/** The fulfilment step under way (Saga.step), in words; null once none is. */
export function describeStep(step: string | null | undefined): string | null {
  return step ? (STEPS[step] ?? null) : null;
}

const PARTNERS: Record<string, string> = {
  "payment gateway": "the payment provider",
  "shipping gateway": "the carrier",
};

/** A partner the order waits for (Order.waiting), in words. */
export function describeWait(wait: { partner: string; attempts: number }): string {
  const who = PARTNERS[wait.partner] ?? "a partner";
  return `Waiting for ${who} to answer (tried ${wait.attempts} ${wait.attempts === 1 ? "time" : "times"}); we keep trying.`;
}
