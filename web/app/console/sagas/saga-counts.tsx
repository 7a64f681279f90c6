"use client";
// Every fulfilment saga counted: by status, the stuck ones, and the cancelled ones by cancel reason.
import { Badge, Card, DataList, Flex, Heading, Spinner, Text } from "@radix-ui/themes";

import { useConsoleQuery, useReloaded } from "@/lib/kiroku/console-client";
import { SagaStatsQuery } from "@/lib/kiroku/console-operations";

import { Problem } from "../problem";

export function SagaCounts({ refreshes = 0 }: { refreshes?: number }) {
  const { data, error, reload } = useConsoleQuery(SagaStatsQuery, {});
  useReloaded(refreshes, reload);
  if (data === null) {
    return error ? <Problem error={error} /> : <Spinner size="3" />;
  }
  const stats = data.sagaStats;
  return (
    <Card>
      <Flex direction="column" gap="3">
        <Heading as="h2" size="4">
          Sagas
        </Heading>
        <DataList.Root orientation="horizontal" aria-label="Sagas by status">
          {(
            [
              ["All", stats.total],
              ["Running", stats.running],
              ["Compensating", stats.compensating],
              ["Completed", stats.completed],
              ["Cancelled", stats.cancelled],
            ] as const
          ).map(([label, count]) => (
            <DataList.Item key={label}>
              <DataList.Label>{label}</DataList.Label>
              <DataList.Value data-testid={`sagas-${label.toLowerCase()}`}>{count}</DataList.Value>
            </DataList.Item>
          ))}
          <DataList.Item>
            <DataList.Label>Stuck</DataList.Label>
            <DataList.Value>
              <Badge color={stats.stuck > 0 ? "red" : "green"} data-testid="stuck-sagas">
                {stats.stuck}
              </Badge>
            </DataList.Value>
          </DataList.Item>
        </DataList.Root>
        {stats.cancelReasons.length > 0 ? (
          <Flex gap="2" wrap="wrap" role="group" aria-label="Cancelled by reason">
            {stats.cancelReasons.map((each) => (
              <Badge key={each.reason} color="gray">
                {each.reason}: {each.sagas}
              </Badge>
            ))}
          </Flex>
        ) : (
          <Text size="2" color="gray">
            No saga was cancelled.
          </Text>
        )}
      </Flex>
    </Card>
  );
}
