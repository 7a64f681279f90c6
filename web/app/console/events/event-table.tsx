"use client";
// A page of one aggregate's stored events, oldest first: version, type, when, who, the correlation and
// causation ids that join it to the request and the message behind it (the correlation id links to the
// conversation's trace), and its payload.
import { Code, Link, Spinner, Table, Text, VisuallyHidden } from "@radix-ui/themes";
import NextLink from "next/link";

import { useConsoleQuery } from "@/lib/kiroku/console-client";
import { EVENT_PAGE_SIZE, EventHistoryQuery } from "@/lib/kiroku/console-operations";

import { Instant } from "../instant";
import { hrefOf } from "../pager";
import { prettyJson } from "../pretty-json";
import { Problem } from "../problem";

export function EventTable({ type, id, fromVersion }: { type: string; id: string; fromVersion: number }) {
  const { data, error } = useConsoleQuery(EventHistoryQuery, { aggregateType: type, aggregateId: id, fromVersion });
  if (data === null) {
    return error ? <Problem error={error} /> : <Spinner size="3" />;
  }
  const events = data.eventHistory;
  const last = events.at(-1);
  return (
    <>
      {events.length === 0 ? (
        <Text>
          {type} {id} has no events{fromVersion > 1 ? ` from version ${fromVersion}` : ""}.
        </Text>
      ) : (
        <Table.Root variant="surface">
          <VisuallyHidden asChild>
            <caption>
              Events of {type} {id}
            </caption>
          </VisuallyHidden>
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeaderCell>Version</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Event</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>At (UTC)</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Actor</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Correlation / causation</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Payload</Table.ColumnHeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {events.map((event) => (
              <Table.Row key={event.id} data-version={event.version}>
                <Table.Cell>{event.version}</Table.Cell>
                <Table.RowHeaderCell>{event.type}</Table.RowHeaderCell>
                <Table.Cell>
                  <Instant at={event.occurredAt} />
                </Table.Cell>
                <Table.Cell>
                  {event.actorRole} {event.actorUid}
                </Table.Cell>
                <Table.Cell>
                  <Link asChild size="1">
                    <NextLink
                      href={`/console/traces/${encodeURIComponent(event.correlationId)}`}
                      aria-label={`Trace of ${event.correlationId}`}
                    >
                      {event.correlationId}
                    </NextLink>
                  </Link>
                  <br />
                  <Code size="1" variant="ghost">
                    {event.causationId}
                  </Code>
                </Table.Cell>
                <Table.Cell>
                  <details>
                    <summary>payload</summary>
                    <pre style={{ whiteSpace: "pre-wrap", margin: 0 }}>{prettyJson(event.payload)}</pre>
                  </details>
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
      {events.length === EVENT_PAGE_SIZE && last ? (
        <Link asChild>
          <NextLink href={hrefOf("/console/events", { type, id, from: String(last.version + 1) })}>Later events</NextLink>
        </Link>
      ) : null}
    </>
  );
}
