"use client";
// The event store's integrity check (version and position continuity, outbox orphans), run when the
// admin asks: it is one pass over the whole log, seconds on a large one, so the page does not run it
// on every visit.
import { Badge, Button, Card, Flex, Heading, Table, Text, VisuallyHidden } from "@radix-ui/themes";
import { useState } from "react";

import { useKiroku } from "@/lib/kiroku/browser";
import { IntegrityReportQuery } from "@/lib/kiroku/console-operations";
import type { ConsoleIntegrityReportQuery } from "@/src/gql/graphql";

import { Problem } from "../problem";

type Report = ConsoleIntegrityReportQuery["integrityReport"];

export function IntegrityCheck() {
  const run = useKiroku();
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function check() {
    setBusy(true);
    setError(null);
    try {
      setReport((await run(IntegrityReportQuery, {})).integrityReport);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card>
      <Flex direction="column" gap="3">
        <Flex justify="between" align="center">
          <Heading as="h2" size="4">
            Event store integrity
          </Heading>
          <Button size="1" variant="soft" loading={busy} onClick={() => void check()}>
            {report ? "Check again" : "Check now"}
          </Button>
        </Flex>
        <Problem error={error} />
        {report ? (
          <Flex gap="2" align="center">
            <Badge color={report.ok ? "green" : "red"} data-testid="integrity">
              {report.ok ? "intact" : `${report.problemCount} problems`}
            </Badge>
            <Text size="2" color="gray">
              {report.events} events in {report.streams} streams checked
            </Text>
          </Flex>
        ) : null}
        {report && report.problems.length > 0 ? (
          <Table.Root size="1">
            <VisuallyHidden asChild>
              <caption>Integrity problems</caption>
            </VisuallyHidden>
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeaderCell>Problem</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Stream</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Detail</Table.ColumnHeaderCell>
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {report.problems.map((problem, index) => (
                <Table.Row key={index}>
                  <Table.RowHeaderCell>{problem.kind}</Table.RowHeaderCell>
                  <Table.Cell>{problem.streamId ?? "—"}</Table.Cell>
                  <Table.Cell>{problem.detail}</Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        ) : null}
      </Flex>
    </Card>
  );
}
