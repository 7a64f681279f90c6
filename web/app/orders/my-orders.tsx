"use client";
// My orders: a page of the writer's orders (newest first) with their status and total, each a link to
// its page, and cancel while the API allows it (the answer shown in words above the list).
import { Badge, Box, Callout, Flex, Heading, Link, Spinner, Table, Text, VisuallyHidden } from "@radix-ui/themes";
import NextLink from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

import { useKiroku } from "@/lib/kiroku/browser";
import { describeCancelReason, describeError, describeStatus, needsSignIn } from "@/lib/kiroku/errors";
import { formatMoney } from "@/lib/kiroku/money";
import { CANCELLABLE, MyOrdersQuery } from "@/lib/kiroku/orders";
import { useSession } from "@/lib/session/session";
import type { MyOrdersQuery as MyOrdersResult } from "@/src/gql/graphql";

import { CancelOrderButton, orderLabel, type CancelOutcome } from "./cancel-order";

export function MyOrders({ after }: { after: string | null }) {
  const session = useSession();
  const router = useRouter();
  const signedOut = session.ready && session.user === null;
  useEffect(() => {
    if (signedOut) {
      router.replace("/sign-in?next=/orders");
    }
  }, [router, signedOut]);
  if (!session.ready || session.user === null) {
    return null;
  }
  return <OrderList key={after ?? ""} after={after} />;
}

function OrderList({ after }: { after: string | null }) {
  const run = useKiroku();
  const [page, setPage] = useState<MyOrdersResult["orders"] | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<CancelOutcome | null>(null);

  const load = useCallback(async () => {
    try {
      setPage((await run(MyOrdersQuery, { after })).orders);
      setProblem(null);
    } catch (error) {
      setProblem(error);
    }
  }, [after, run]);

  useEffect(() => {
    let current = true;
    run(MyOrdersQuery, { after }).then(
      ({ orders }) => {
        if (current) {
          setPage(orders);
        }
      },
      (error: unknown) => {
        if (current) {
          setProblem(error);
        }
      },
    );
    return () => {
      current = false;
    };
  }, [after, run]);

  return (
    <Flex direction="column" gap="4">
      <Heading as="h1" size="7">
        My orders
      </Heading>
      <Box aria-live="polite">
        {outcome ? (
          <Callout.Root color={outcome.ok ? "blue" : "red"} role="status">
            <Callout.Text>{outcome.message}</Callout.Text>
          </Callout.Root>
        ) : null}
      </Box>
      {problem ? (
        <Callout.Root color="red" role="alert">
          <Callout.Text>
            {describeError(problem)}
            {needsSignIn(problem) ? (
              <>
                {" "}
                <Link asChild>
                  <NextLink href="/sign-in?next=/orders">Sign in</NextLink>
                </Link>
              </>
            ) : null}
          </Callout.Text>
        </Callout.Root>
      ) : null}
      {page === null ? (
        problem ? null : <Spinner size="3" />
      ) : page.edges.length === 0 ? (
        <Text>{after ? "No more orders." : "You have not ordered anything yet."}</Text>
      ) : (
        <Table.Root variant="surface">
        <VisuallyHidden asChild>
          <caption>Your orders</caption>
        </VisuallyHidden>
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeaderCell>Order</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Placed (UTC)</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Items</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell justify="end">Total</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell />
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {page.edges.map(({ node }) => (
              <Table.Row key={node.id} align="center" data-order-id={node.id}>
                <Table.RowHeaderCell>
                  <Link asChild>
                    <NextLink href={`/orders/${encodeURIComponent(node.id)}`}>{orderLabel(node.id)}</NextLink>
                  </Link>
                </Table.RowHeaderCell>
                <Table.Cell>
                  <time dateTime={node.createdAt}>
                    {new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(
                      new Date(node.createdAt),
                    )}
                  </time>
                </Table.Cell>
                <Table.Cell>{node.lines.reduce((count, line) => count + line.quantity, 0)}</Table.Cell>
                <Table.Cell>
                  <Badge
                    color={node.status === "COMPLETED" ? "green" : node.status.startsWith("CANCEL") ? "red" : "blue"}
                    title={node.status === "CANCELLED" ? describeCancelReason(node.cancelReason) : undefined}
                    data-testid="order-row-status"
                  >
                    {describeStatus(node.status)}
                  </Badge>
                </Table.Cell>
                <Table.Cell justify="end">{formatMoney(node.total, node.currency)}</Table.Cell>
                <Table.Cell justify="end">
                  {CANCELLABLE.has(node.status) ? (
                    <CancelOrderButton
                      orderId={node.id}
                      label={orderLabel(node.id)}
                      onOutcome={(result) => {
                        setOutcome(result);
                        void load();
                      }}
                    />
                  ) : null}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      <Flex gap="3">
        {page?.pageInfo.hasPreviousPage ? (
          <Link asChild>
            <NextLink href="/orders">First page</NextLink>
          </Link>
        ) : null}
        {page?.pageInfo.hasNextPage && page.pageInfo.endCursor ? (
          <Link asChild>
            <NextLink href={`/orders?after=${encodeURIComponent(page.pageInfo.endCursor)}`}>Next page</NextLink>
          </Link>
        ) : null}
      </Flex>
    </Flex>
  );
}
