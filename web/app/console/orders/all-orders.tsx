"use client";
// A page of every customer's orders: who, status, total, where its saga stands; each links to its saga.
import { Link, Spinner, Table, Text, VisuallyHidden } from "@radix-ui/themes";
import NextLink from "next/link";

import { useConsoleQuery } from "@/lib/kiroku/console-client";
import { AllOrdersQuery } from "@/lib/kiroku/console-operations";
import { formatMoney } from "@/lib/kiroku/money";

import { Instant } from "../instant";
import { Pager } from "../pager";
import { Problem } from "../problem";
import { StatusBadge } from "../status-badge";
import { chosenStatus, StatusFilter } from "../status-filter";

const ORDER_STATUSES = ["PLACED", "RESERVED", "SHIPPING", "COMPLETED", "CANCELLING", "CANCELLED"];

export function AllOrders({ after, status }: { after: string | null; status: string | null }) {
  const chosen = chosenStatus(status);
  const { data, error } = useConsoleQuery(AllOrdersQuery, { after, status: chosen });
  return (
    <>
      <StatusFilter path="/console/orders" statuses={ORDER_STATUSES} status={chosen} />
      {data === null ? (
        error ? <Problem error={error} /> : <Spinner size="3" />
      ) : data.orders.edges.length === 0 ? (
        <Text>No order matches.</Text>
      ) : (
        <Table.Root variant="surface">
          <VisuallyHidden asChild>
            <caption>All orders</caption>
          </VisuallyHidden>
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeaderCell>Order</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Customer</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Placed (UTC)</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Saga</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell justify="end">Total</Table.ColumnHeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data.orders.edges.map(({ node }) => (
              <Table.Row key={node.id} data-order-id={node.id}>
                <Table.RowHeaderCell>
                  <Link asChild>
                    <NextLink href={`/console/sagas/${encodeURIComponent(node.id)}`}>{node.id}</NextLink>
                  </Link>
                </Table.RowHeaderCell>
                <Table.Cell>{node.customerId}</Table.Cell>
                <Table.Cell>
                  <Instant at={node.createdAt} />
                </Table.Cell>
                <Table.Cell>
                  <StatusBadge status={node.status} /> {node.cancelReason ?? ""}
                </Table.Cell>
                <Table.Cell>{node.saga ? `${node.saga.status} ${node.saga.step ?? ""}` : "—"}</Table.Cell>
                <Table.Cell justify="end">{formatMoney(node.total, node.currency)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      <Pager pageInfo={data?.orders.pageInfo} path="/console/orders" params={{ status: chosen }} />
    </>
  );
}
