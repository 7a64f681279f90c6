"use client";
// A conversation's waterfall, as `kiroku trace` prints it: each span under the one that caused it, the
// function and the message it handled, when it started after the first span, how long it ran, and a bar
// of that stretch on the conversation's time line. Where spans go to Cloud Trace, the link to them.
import { Box, Heading, Link, Spinner, Table, Text, VisuallyHidden } from "@radix-ui/themes";

import { useConsoleQuery } from "@/lib/kiroku/console-client";
import { TraceQuery } from "@/lib/kiroku/console-operations";

import { Problem } from "../../problem";

function milliseconds(value: number): string {
  return value.toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

export function TraceWaterfall({ correlationId }: { correlationId: string }) {
  const { data, error } = useConsoleQuery(TraceQuery, { correlationId });
  if (data === null) {
    return error ? <Problem error={error} /> : <Spinner size="3" />;
  }
  const { trace } = data;
  const total = Math.max(0, ...trace.spans.map((span) => span.offsetMs + span.durationMs)) || 1;
  return (
    <>
      <Heading as="h2" size="5">
        Trace of {correlationId}
      </Heading>
      {trace.kept === "cloud-trace" && trace.url ? (
        <Text as="p">
          This environment keeps its spans in Cloud Trace:{" "}
          <Link href={trace.url} target="_blank" rel="noreferrer">
            open its traces
          </Link>{" "}
          and filter by the label <code>kiroku.correlation_id:{correlationId}</code>.
        </Text>
      ) : trace.spans.length === 0 ? (
        <Text as="p">
          {trace.kept === "local"
            ? "No span names this conversation (yet)."
            : "This environment keeps no spans (KIROKU_TRACE_EXPORT=none)."}
        </Text>
      ) : (
        <Table.Root variant="surface" size="1">
          <VisuallyHidden asChild>
            <caption>Trace</caption>
          </VisuallyHidden>
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeaderCell>Function and message</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell justify="end">Start ms</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell justify="end">ms</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell width="40%">
                <VisuallyHidden>When</VisuallyHidden>
              </Table.ColumnHeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {trace.spans.map((span) => (
              <Table.Row key={span.spanId} data-function={span.function}>
                <Table.RowHeaderCell>
                  <Box style={{ paddingLeft: `${span.depth}em` }}>
                    <Text weight="bold">{span.function}</Text>{" "}
                    <Text color={span.status === "ERROR" ? "red" : undefined}>
                      {span.messageType ?? span.name.replace(`${span.function} `, "")}
                    </Text>
                  </Box>
                </Table.RowHeaderCell>
                <Table.Cell justify="end">{milliseconds(span.offsetMs)}</Table.Cell>
                <Table.Cell justify="end">{milliseconds(span.durationMs)}</Table.Cell>
                <Table.Cell>
                  <div
                    aria-hidden
                    style={{
                      marginLeft: `${(span.offsetMs / total) * 100}%`,
                      width: `max(2px, ${(span.durationMs / total) * 100}%)`,
                      height: "0.75em",
                      background: "var(--accent-9)",
                    }}
                  />
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      )}
    </>
  );
}
