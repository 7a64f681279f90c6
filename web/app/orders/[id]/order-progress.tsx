"use client";
// An order's progress, live: placed → reserved → paid → shipping → completed, or its compensation and
// why, pushed by the API at each change (useLive: a subscription over Server-Sent Events) until the
// order is settled. Asking the API again (usePolling) backs it up: often while no stream is open, seldom
// while one is. Opened with ?command=, it first follows the placing command, which may still be on its
// way or be refused.
import { Badge, Box, Button, Callout, Card, Flex, Heading, Link, Spinner, Text } from "@radix-ui/themes";
import NextLink from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

import { finishAttempt, useCart } from "@/lib/cart/cart";
import { useKiroku } from "@/lib/kiroku/browser";
import {
  describeCancelReason,
  describeError,
  describeRejection,
  describeStatus,
  describeStep,
  describeWait,
  needsSignIn,
} from "@/lib/kiroku/errors";
import { formatMoney } from "@/lib/kiroku/money";
import { useLive } from "@/lib/kiroku/live";
import {
  CANCELLABLE,
  CommandStatusQuery,
  OrderLiveSubscription,
  OrderProgressQuery,
  ProductNameQuery,
  SETTLED,
} from "@/lib/kiroku/orders";
import { usePolling } from "@/lib/kiroku/polling";
import { useSession } from "@/lib/session/session";
import type { CheckoutCommandQuery, OrderProgressQuery as OrderProgressResult } from "@/src/gql/graphql";

import { CancelOrderButton, orderLabel, type CancelOutcome } from "../cancel-order";

type Order = NonNullable<OrderProgressResult["order"]>;
type Command = CheckoutCommandQuery["commandStatus"];

interface Seen {
  order: Order | null;
  command: Command | null;
}

const FORWARD = [
  { status: "PLACED", label: "Order placed" },
  { status: "RESERVED", label: "Items reserved" },
  { status: "SHIPPING", label: "Paid and handed to the carrier" },
  { status: "COMPLETED", label: "Completed" },
] as const;

// An order that the API does not show after this many answers (and no command says it is coming) is not there.
const NOT_FOUND_AFTER = 5;
// How often the page still asks while the API pushes each change: in case a push is lost.
const LIVE_POLL_MS = 15000;

/** Of the order as last read and as last pushed, the later (its saga counts: it moves more often). */
function newest(read: Order | null, pushed: Order | null): Order | null {
  if (read === null || pushed === null) {
    return pushed ?? read;
  }
  const sagaOf = (order: Order) => order.saga?.version ?? 0;
  const readIsLater =
    read.version > pushed.version || (read.version === pushed.version && sagaOf(read) > sagaOf(pushed));
  return readIsLater ? read : pushed;
}

function time(at: string): string {
  return new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }).format(new Date(at));
}

export function OrderProgress({ id, command }: { id: string; command: string | null }) {
  const session = useSession();
  const router = useRouter();
  const signedOut = session.ready && session.user === null;
  useEffect(() => {
    if (signedOut) {
      router.replace(`/sign-in?next=${encodeURIComponent(`/orders/${id}`)}`);
    }
  }, [id, router, signedOut]);
  if (!session.ready || session.user === null) {
    return null;
  }
  return <Follow id={id} command={command} />;
}

function Follow({ id, command }: { id: string; command: string | null }) {
  const run = useKiroku();
  const cart = useCart();
  const [outcome, setOutcome] = useState<CancelOutcome | null>(null);
  const fetcher = useCallback(async (): Promise<Seen> => {
    const { order } = await run(OrderProgressQuery, { id });
    if (order || command === null) {
      return { order: order ?? null, command: null };
    }
    return { order: null, command: (await run(CommandStatusQuery, { id: command })).commandStatus };
  }, [command, id, run]);
  const pushed = useLive(OrderLiveSubscription, { id }, (seen) => Boolean(seen.order && SETTLED.has(seen.order.status)));
  const polled = usePolling(fetcher, {
    settled: (seen) =>
      (seen.order !== null && SETTLED.has(seen.order.status)) || seen.command?.status === "REJECTED",
    fingerprint: (seen) =>
      JSON.stringify([seen.order?.version, seen.order?.saga?.version, seen.order?.waiting?.attempts, seen.command?.status]),
    fastest: pushed.live ? LIVE_POLL_MS : undefined,
    slowest: pushed.live ? LIVE_POLL_MS : undefined,
  });
  const order = newest(polled.value?.order ?? null, pushed.value?.order ?? null);
  const placing = polled.value?.command ?? null;

  useEffect(() => {
    // The placing command of this browser's checkout was accepted: its cart is ordered.
    if (command !== null && order !== null && cart.ready) {
      finishAttempt(command, cart);
    }
  }, [cart, command, order]);

  if (polled.value === undefined) {
    return polled.error ? <Problem error={polled.error} /> : <Spinner size="3" />;
  }
  if (order === null) {
    if (placing?.status === "REJECTED") {
      return (
        <Flex direction="column" gap="3">
          <Heading as="h1" size="6">
            Your order was not placed
          </Heading>
          <Callout.Root color="red" role="alert">
            <Callout.Text>{describeRejection(placing.error ?? { code: "", message: "" })}</Callout.Text>
          </Callout.Root>
          <Link asChild>
            <NextLink href="/cart">Back to your cart</NextLink>
          </Link>
        </Flex>
      );
    }
    if (command === null && polled.answers >= NOT_FOUND_AFTER) {
      return <Text>We could not find this order among yours.</Text>;
    }
    return (
      <Flex gap="2" align="center">
        <Spinner /> <Text>Placing your order…</Text>
      </Flex>
    );
  }
  return (
    <Flex direction="column" gap="4" style={{ maxWidth: 760 }}>
      <Flex justify="between" align="center" wrap="wrap" gap="3">
        <Heading as="h1" size="7">
          Order {orderLabel(order.id)}
        </Heading>
        <Badge
          size="3"
          color={order.status === "COMPLETED" ? "green" : order.status.startsWith("CANCEL") ? "red" : "blue"}
          data-testid="order-status"
          data-followed={pushed.live ? "pushed" : "asked"}
        >
          {describeStatus(order.status)}
        </Badge>
      </Flex>
      <Text size="2" color="gray" data-testid="order-placed-at" style={{ alignSelf: "start" }}>
        Placed {time(order.createdAt)} UTC
      </Text>
      <Progress order={order} />
      {polled.error ? <Problem error={polled.error} /> : null}
      <Box aria-live="polite">
        {outcome ? (
          <Callout.Root color={outcome.ok ? "blue" : "red"} role="status">
            <Callout.Text>{outcome.message}</Callout.Text>
          </Callout.Root>
        ) : null}
      </Box>
      {CANCELLABLE.has(order.status) ? (
        <Box>
          <CancelOrderButton
            orderId={order.id}
            label={orderLabel(order.id)}
            onOutcome={(result) => {
              setOutcome(result);
              polled.refresh();
            }}
          />
        </Box>
      ) : null}
      <Lines order={order} />
    </Flex>
  );
}

function Progress({ order }: { order: Order }) {
  const reached = new Map(order.statusHistory.map((change) => [change.status, change.at]));
  const compensating = order.status === "CANCELLING" || order.status === "CANCELLED";
  const next = FORWARD.findIndex((step) => !reached.has(step.status));
  const step = describeStep(order.saga?.step);
  return (
    <Card>
      <ol aria-label="Order progress" style={{ margin: 0, paddingLeft: 20, display: "grid", gap: 10 }}>
        {FORWARD.map((each, index) => {
          const at = reached.get(each.status);
          const current = !compensating && index === next;
          const state = at !== undefined ? "done" : current ? "current" : "pending";
          if (compensating && at === undefined) {
            return null;
          }
          return (
            <li key={each.status} data-state={state}>
              <Flex gap="2" align="center" wrap="wrap">
                <Text weight={state === "pending" ? "regular" : "bold"} color={state === "pending" ? "gray" : undefined}>
                  {state === "done" ? "✓ " : ""}
                  {each.label}
                </Text>
                {at !== undefined ? (
                  <Text size="1" color="gray" data-testid="step-time">
                    {time(at)}
                  </Text>
                ) : null}
                {current ? <Spinner size="1" /> : null}
              </Flex>
              {current && step ? (
                <Text as="div" size="2" color="gray">
                  {step}…
                </Text>
              ) : null}
              {current && order.waiting ? (
                <Text as="div" size="2" color="orange">
                  {describeWait(order.waiting)}
                </Text>
              ) : null}
            </li>
          );
        })}
        {compensating ? (
          <li data-state={order.status === "CANCELLED" ? "done" : "current"}>
            <Flex gap="2" align="center">
              <Text weight="bold" color="red">
                {order.status === "CANCELLED" ? "✕ Cancelled" : "Cancelling"}
              </Text>
              {order.status === "CANCELLING" ? <Spinner size="1" /> : null}
            </Flex>
            {order.status === "CANCELLING" && step ? (
              <Text as="div" size="2" color="gray">
                {step}…
              </Text>
            ) : null}
          </li>
        ) : null}
      </ol>
      {order.status === "CANCELLED" ? (
        <Callout.Root color="red" mt="3" role="alert">
          <Callout.Text data-testid="cancel-reason">{describeCancelReason(order.cancelReason)}</Callout.Text>
        </Callout.Root>
      ) : order.status === "CANCELLING" && order.saga?.failure ? (
        <Callout.Root color="orange" mt="3" role="alert">
          <Callout.Text data-testid="cancel-reason">{describeCancelReason(order.saga.failure)}</Callout.Text>
        </Callout.Root>
      ) : null}
    </Card>
  );
}

interface Sold {
  name: string;
  price: string;
  currency: string;
}

function Lines({ order }: { order: Order }) {
  const run = useKiroku();
  const cart = useCart();
  const router = useRouter();
  const [products, setProducts] = useState<Record<string, Sold | null>>({});
  const ids = order.lines.map((line) => line.productId).join("\n");
  useEffect(() => {
    let current = true;
    void Promise.all(
      ids.split("\n").map(async (productId) => {
        const { product } = await run(ProductNameQuery, { id: productId }).catch(() => ({ product: null }));
        return [productId, product ?? null] as const;
      }),
    ).then((found) => {
      if (current) {
        setProducts(Object.fromEntries(found));
      }
    });
    return () => {
      current = false;
    };
  }, [ids, run]);
  return (
    <Card>
      <Flex direction="column" gap="2" role="region" aria-label="Order lines">
        {order.lines.map((line) => (
          <Flex key={line.productId} justify="between" gap="4">
            <Text>
              {line.quantity} ×{" "}
              <Link asChild>
                <NextLink href={`/products/${encodeURIComponent(line.productId)}`}>{products[line.productId]?.name ?? line.productId}</NextLink>
              </Link>{" "}
              at {formatMoney(line.unitPrice, order.currency)}
            </Text>
          </Flex>
        ))}
        <Flex justify="between" gap="4">
          <Text weight="bold">Total</Text>
          <Text weight="bold" data-testid="order-total">
            {formatMoney(order.total, order.currency)}
          </Text>
        </Flex>
        {order.status === "CANCELLED" ? (
          <Button
            variant="soft"
            style={{ alignSelf: "start" }}
            disabled={!order.lines.some((line) => products[line.productId])}
            onClick={() => {
              // At today's prices: the cart holds what the catalogue sells now.
              for (const line of order.lines) {
                const sold = products[line.productId];
                if (sold) {
                  cart.add({ productId: line.productId, name: sold.name, unitPrice: sold.price, currency: sold.currency }, line.quantity);
                }
              }
              router.push("/cart");
            }}
          >
            Put these items back in your cart
          </Button>
        ) : null}
      </Flex>
    </Card>
  );
}

function Problem({ error }: { error: unknown }) {
  const router = useRouter();
  useEffect(() => {
    if (needsSignIn(error)) {
      router.push("/sign-in");
    }
  }, [error, router]);
  return (
    <Callout.Root color="red" role="alert">
      <Callout.Text>{describeError(error)}</Callout.Text>
    </Callout.Root>
  );
}
