"use client";
// How far each read model lags the event store: the records behind and the events they have not
// applied, the newest event, and (PostgreSQL) the global positions applied and written.
import { Badge, Card, Flex, Heading, Spinner, Table, VisuallyHidden } from "@radix-ui/themes";

import { useConsoleQuery } from "@/lib/kiroku/console-client";
import { ProjectionStatusQuery } from "@/lib/kiroku/console-operations";

import { Instant } from "../instant";
import { Problem } from "../problem";

export function ProjectionLag() {
  const { data, error } = useConsoleQuery(ProjectionStatusQuery, {});
  return (
    <Card>
      <Flex direction="column" gap="3">
        <Heading as="h2" size="4">
          Projections
        </Heading>
        {data === null ? (
          error ? <Problem error={error} /> : <Spinner />
        ) : (
          <Table.Root size="1">
            <VisuallyHidden asChild>
              <caption>Projection lag</caption>
            </VisuallyHidden>
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeaderCell>Read model</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Events</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Records</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Behind</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Lag (events)</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Newest event (UTC)</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell justify="end">Applied / head position</Table.ColumnHeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {data.projectionStatus.map((status) => (
                <Table.Row key={status.model} data-model={status.model}>
                  <Table.RowHeaderCell>
                    {status.model} <Badge color="gray">{status.aggregateType}</Badge>
                  </Table.RowHeaderCell>
                  <Table.Cell justify="end">{status.events}</Table.Cell>
                  <Table.Cell justify="end">{status.records}</Table.Cell>
                  <Table.Cell justify="end">{status.behind}</Table.Cell>
                  <Table.Cell justify="end">
                    <Badge color={status.lag === 0 ? "green" : "orange"} data-testid="projection-lag">
                      {status.lag}
                    </Badge>
                  </Table.Cell>
                  <Table.Cell>
                    <Instant at={status.lastEventAt} />
                  </Table.Cell>
                  <Table.Cell justify="end">
                    {status.headPosition === null || status.headPosition === undefined
                      ? "—"
                      : `${status.lastAppliedPosition ?? "—"} / ${status.headPosition}`}
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        )}
      </Flex>
    </Card>
  );
}
