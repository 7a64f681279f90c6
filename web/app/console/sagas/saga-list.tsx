"use client";
// A page of fulfilment sagas: by status, or the stuck ones longest overdue first; each links to its
// timeline.
import { Link, Spinner, Table, Text, VisuallyHidden } from "@radix-ui/themes";
import NextLink from "next/link";

import { useConsoleQuery, useReloaded } from "@/lib/kiroku/console-client";
import { SagasQuery } from "@/lib/kiroku/console-operations";
import type { SagaStatus } from "@/src/gql/graphql";

import { Instant } from "../instant";
import { Pager } from "../pager";
import { Problem } from "../problem";
import { StatusBadge } from "../status-badge";
import { chosenStatus, StatusFilter } from "../status-filter";

const SAGA_STATUSES: readonly SagaStatus[] = ["RUNNING", "COMPENSATING", "COMPLETED", "CANCELLED"];

function sagaStatus(value: string | null): SagaStatus | null {
  return SAGA_STATUSES.find((each) => each === value) ?? null;
}

export function SagaList({
  after,
  status,
  stuck,
  refreshes,
}: {
  after: string | null;
  status: string | null;
  stuck: boolean;
  /** Read again each time this grows. */
  refreshes: number;
}) {
  const chosen = sagaStatus(chosenStatus(status));
  const { data, error, reload } = useConsoleQuery(SagasQuery, { after, status: chosen, stuck });
  useReloaded(refreshes, reload);
  return (
    <>
      <StatusFilter path="/console/sagas" statuses={SAGA_STATUSES} status={chosen} stuck={stuck} />
      {data === null ? (
        error ? <Problem error={error} /> : <Spinner size="3" />
      ) : data.sagas.edges.length === 0 ? (
        <Text>No saga matches.</Text>
      ) : (
        <Table.Root variant="surface">
          <VisuallyHidden asChild>
            <caption>Sagas</caption>
          </VisuallyHidden>
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeaderCell>Order</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Status</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Step</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Deadline (UTC)</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Failure</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Waiting for</Table.ColumnHeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {data.sagas.edges.map(({ node }) => (
              <Table.Row key={node.orderId}>
                <Table.RowHeaderCell>
                  <Link asChild>
                    <NextLink href={`/console/sagas/${encodeURIComponent(node.orderId)}`}>{node.orderId}</NextLink>
                  </Link>
                </Table.RowHeaderCell>
                <Table.Cell>
                  <StatusBadge status={node.status} />
                </Table.Cell>
                <Table.Cell>{node.step ?? "—"}</Table.Cell>
                <Table.Cell>
                  <Instant at={node.deadline} />
                </Table.Cell>
                <Table.Cell>{node.failure ?? "—"}</Table.Cell>
                <Table.Cell>
                  {node.waiting ? `${node.waiting.partner} (${node.waiting.attempts} attempts)` : "—"}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      <Pager
        pageInfo={data?.sagas.pageInfo}
        path="/console/sagas"
        params={{ status: chosen, stuck: stuck ? "on" : null }}
      />
    </>
  );
}
