"use client";
// Whether the API is ready: its /health/ready answer (each dependency's state and the version), asked
// through this app's server (./readiness).
import { Badge, Card, DataList, Flex, Heading, Spinner } from "@radix-ui/themes";
import { useEffect, useState } from "react";

import { useSession } from "@/lib/session/session";

interface Readiness {
  httpStatus: number | null;
  body: { status?: string; version?: string; checks?: Record<string, string> } | null;
}

export function ApiReadiness() {
  const session = useSession();
  const [readiness, setReadiness] = useState<Readiness | null>(null);
  useEffect(() => {
    let current = true;
    void (async () => {
      const token = await session.token();
      const answer = await fetch("/console/readiness", {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        cache: "no-store",
      }).catch(() => null);
      const read = answer?.ok ? ((await answer.json()) as Readiness) : { httpStatus: null, body: null };
      if (current) {
        setReadiness(read);
      }
    })();
    return () => {
      current = false;
    };
  }, [session]);
  const ready = readiness?.body?.status === "ok";
  return (
    <Card>
      <Flex direction="column" gap="3">
        <Flex justify="between" align="center">
          <Heading as="h2" size="4">
            API
          </Heading>
          {readiness === null ? (
            <Spinner />
          ) : (
            <Badge color={ready ? "green" : "red"} data-testid="api-readiness">
              {ready ? "ready" : readiness.body?.status ?? "unreachable"}
            </Badge>
          )}
        </Flex>
        {readiness?.body ? (
          <DataList.Root orientation="horizontal">
            {Object.entries(readiness.body.checks ?? {}).map(([dependency, state]) => (
              <DataList.Item key={dependency}>
                <DataList.Label>{dependency}</DataList.Label>
                <DataList.Value>{state}</DataList.Value>
              </DataList.Item>
            ))}
            <DataList.Item>
              <DataList.Label>version</DataList.Label>
              <DataList.Value>{readiness.body.version ?? "?"}</DataList.Value>
            </DataList.Item>
          </DataList.Root>
        ) : null}
      </Flex>
    </Card>
  );
}
