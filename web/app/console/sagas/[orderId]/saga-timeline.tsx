"use client";
// A saga's state and its history, oldest first: each event's step, what was learnt, the commands it
// issued and the message that caused it (causation), with links to the order's and the saga's events and
// to the order's trace.
// Read once, then pushed by the API at each change while the saga runs (useLive).
import { Card, Code, DataList, Flex, Heading, Link, Spinner, Table, Text, VisuallyHidden } from "@radix-ui/themes";
import NextLink from "next/link";

import { useConsoleQuery } from "@/lib/kiroku/console-client";
import { SagaLiveSubscription, SagaTimelineQuery } from "@/lib/kiroku/console-operations";
import { useLive } from "@/lib/kiroku/live";

import { Instant } from "../../instant";
import { Problem } from "../../problem";
import { StatusBadge } from "../../status-badge";

const ENDED = new Set(["COMPLETED", "CANCELLED"]);

function eventsHref(type: string, id: string): string {
  return `/console/events?type=${type}&id=${encodeURIComponent(id)}`;
}

export function SagaTimeline({ orderId }: { orderId: string }) {
  const { data, error } = useConsoleQuery(SagaTimelineQuery, { orderId });
  const pushed = useLive(SagaLiveSubscription, { orderId }, (seen) => ENDED.has(seen.saga?.status ?? ""));
  if (data === null && pushed.value === undefined) {
    return error ? <Problem error={error} /> : <Spinner size="3" />;
  }
  const read = data?.saga ?? null;
  const live = pushed.value?.saga ?? null;
  const saga = read === null || (live !== null && live.version >= read.version) ? live : read;
  if (!saga) {
    return <Text>Order {orderId} has no saga (yet).</Text>;
  }
  return (
    <Flex direction="column" gap="4">
      <Flex justify="between" align="center" wrap="wrap" gap="3">
        <Heading as="h2" size="5">
          Saga of order {saga.orderId}
        </Heading>
        <Flex gap="3">
          <Link asChild size="2">
            <NextLink href={eventsHref("Order", saga.orderId)}>The order&apos;s events</NextLink>
          </Link>
          <Link asChild size="2">
            <NextLink href={eventsHref("FulfilmentSaga", saga.orderId)}>The saga&apos;s events</NextLink>
          </Link>
          <Link asChild size="2">
            <NextLink href={`/console/traces/${encodeURIComponent(saga.correlationId)}`}>
              The order&apos;s trace
            </NextLink>
          </Link>
        </Flex>
      </Flex>
      <Card>
        <DataList.Root>
          <DataList.Item>
            <DataList.Label>Status</DataList.Label>
            <DataList.Value data-testid="saga-status" data-followed={pushed.live ? "pushed" : "read"}>
              <StatusBadge status={saga.status} />
            </DataList.Value>
          </DataList.Item>
          <DataList.Item>
            <DataList.Label>Step</DataList.Label>
            <DataList.Value>{saga.step ?? "—"}</DataList.Value>
          </DataList.Item>
          <DataList.Item>
            <DataList.Label>Deadline</DataList.Label>
            <DataList.Value>
              <Instant at={saga.deadline} />
            </DataList.Value>
          </DataList.Item>
          <DataList.Item>
            <DataList.Label>Failure</DataList.Label>
            <DataList.Value>{saga.failure ? `${saga.failure}: ${saga.failureDetail ?? ""}` : "—"}</DataList.Value>
          </DataList.Item>
          {saga.waiting ? (
            <DataList.Item>
              <DataList.Label>Waiting for</DataList.Label>
              <DataList.Value>
                {saga.waiting.partner} ({saga.waiting.command}, {saga.waiting.attempts} attempts
                {saga.waiting.reason ? `: ${saga.waiting.reason}` : ""})
              </DataList.Value>
            </DataList.Item>
          ) : null}
          <DataList.Item>
            <DataList.Label>Version</DataList.Label>
            <DataList.Value>{saga.version}</DataList.Value>
          </DataList.Item>
        </DataList.Root>
      </Card>
      <Table.Root variant="surface">
        <VisuallyHidden asChild>
          <caption>Saga timeline</caption>
        </VisuallyHidden>
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>At (UTC)</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Event</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Step</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Detail</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Commands issued</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Caused by</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {saga.history.map((entry, index) => (
            <Table.Row key={index}>
              <Table.Cell>
                <Instant at={entry.at} />
              </Table.Cell>
              <Table.RowHeaderCell>{entry.event}</Table.RowHeaderCell>
              <Table.Cell>{entry.step ?? "—"}</Table.Cell>
              <Table.Cell>{entry.detail ?? ""}</Table.Cell>
              <Table.Cell>{entry.commands.join(", ")}</Table.Cell>
              <Table.Cell>
                <Code size="1" variant="ghost">
                  {entry.causationId}
                </Code>
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
    </Flex>
  );
}
