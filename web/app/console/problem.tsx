"use client";
// A console call that failed, in words (a stale version offers the latest record instead).
import { Button, Callout, Flex } from "@radix-ui/themes";

import { describeConsoleError, isStale } from "@/lib/kiroku/console-errors";

export function Problem({ error, onReload }: { error: unknown; onReload?: () => void }) {
  if (!error) {
    return null;
  }
  const stale = isStale(error);
  return (
    <Callout.Root color={stale ? "orange" : "red"} role="alert" data-testid={stale ? "conflict" : "problem"}>
      <Flex direction="column" gap="2" align="start">
        <Callout.Text>{describeConsoleError(error)}</Callout.Text>
        {stale && onReload ? (
          <Button size="1" variant="soft" onClick={onReload}>
            Load the latest version
          </Button>
        ) : null}
      </Flex>
    </Callout.Root>
  );
}
