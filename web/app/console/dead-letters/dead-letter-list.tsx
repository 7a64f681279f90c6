"use client";
// One function's dead letters: each one's message, aggregate and attempts, its body to inspect, and
// replay (command functions only: the API republishes commands) or discard, singly or all at once. What
// a replay or discard did is announced above the list, which is then read again.
import { Box, Button, Callout, Flex, Spinner, Table, Text, VisuallyHidden } from "@radix-ui/themes";
import { useState } from "react";

import { useKiroku } from "@/lib/kiroku/browser";
import { useConsoleQuery } from "@/lib/kiroku/console-client";
import { replayable } from "@/lib/kiroku/console-functions";
import {
  DEAD_LETTER_PAGE,
  DeadLettersQuery,
  DiscardDeadLettersMutation,
  ReplayDeadLettersMutation,
} from "@/lib/kiroku/console-operations";
import type { ConsoleReplayDeadLettersMutation } from "@/src/gql/graphql";

import { ConfirmButton } from "../confirm-button";
import { Instant } from "../instant";
import { Problem } from "../problem";
import { InspectLetter } from "./inspect-letter";

type Outcome = ConsoleReplayDeadLettersMutation["replayDeadLetters"] & { action: "replayed" | "discarded" };

function describeOutcome(outcome: Outcome): string {
  const parts = [`${outcome.action} ${outcome.messageIds.length} dead letter${outcome.messageIds.length === 1 ? "" : "s"}`];
  if (outcome.missing.length > 0) {
    parts.push(`${outcome.missing.length} no longer there`);
  }
  if (outcome.failed.length > 0) {
    parts.push(`${outcome.failed.length} could not be republished and are kept`);
  }
  return `${outcome.function}: ${parts.join("; ")}.`;
}

export function DeadLetterList({ functionName }: { functionName: string }) {
  const run = useKiroku();
  const { data, error, reload } = useConsoleQuery(DeadLettersQuery, { function: functionName });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const canReplay = replayable(functionName);

  async function act(action: Outcome["action"], ids: string[] | null) {
    setBusy(true);
    setActionError(null);
    try {
      const done =
        action === "replayed"
          ? (await run(ReplayDeadLettersMutation, { function: functionName, ids })).replayDeadLetters
          : (await run(DiscardDeadLettersMutation, { function: functionName, ids: ids ?? [] })).discardDeadLetters;
      setOutcome({ ...done, action });
      await reload();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(false);
    }
  }

  const letters = data?.deadLetters ?? [];
  return (
    <Flex direction="column" gap="3">
      <Box aria-live="polite">
        {outcome ? (
          <Callout.Root color={outcome.failed.length > 0 ? "orange" : "green"} role="status" data-testid="dead-letter-outcome">
            <Callout.Text>{describeOutcome(outcome)}</Callout.Text>
          </Callout.Root>
        ) : null}
      </Box>
      <Problem error={actionError ?? error} />
      {canReplay ? null : (
        <Text size="2" color="gray">
          {functionName} takes events: replay its letters with <code>kiroku dead-letters replay</code>.
        </Text>
      )}
      {data === null ? (
        error ? null : <Spinner size="3" />
      ) : letters.length === 0 ? (
        <Text data-testid="no-dead-letters">{functionName} has no dead letters.</Text>
      ) : (
        <>
          <Flex gap="3" align="center">
            <Text size="2">
              {letters.length === DEAD_LETTER_PAGE ? `The first ${DEAD_LETTER_PAGE}` : letters.length} dead letter
              {letters.length === 1 ? "" : "s"}
            </Text>
            {canReplay ? (
              <Button size="1" variant="soft" loading={busy} onClick={() => void act("replayed", null)}>
                Replay all
              </Button>
            ) : null}
          </Flex>
          <Table.Root variant="surface">
            <VisuallyHidden asChild>
              <caption>Dead letters of {functionName}</caption>
            </VisuallyHidden>
            <Table.Header>
              <Table.Row>
                <Table.ColumnHeaderCell>Message</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Type</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Aggregate</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Attempts</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell>Dead-lettered (UTC)</Table.ColumnHeaderCell>
                <Table.ColumnHeaderCell />
              </Table.Row>
            </Table.Header>
            <Table.Body>
              {letters.map((letter) => (
                <Table.Row key={letter.messageId} data-message-id={letter.messageId} align="center">
                  <Table.RowHeaderCell>{letter.messageId}</Table.RowHeaderCell>
                  <Table.Cell>{letter.type ?? "—"}</Table.Cell>
                  <Table.Cell>
                    {letter.aggregateType ?? ""} {letter.aggregateId ?? "—"}
                  </Table.Cell>
                  <Table.Cell>{letter.deliveryAttempts ?? "?"}</Table.Cell>
                  <Table.Cell>
                    <Instant at={letter.publishTime} />
                  </Table.Cell>
                  <Table.Cell>
                    <Flex gap="2" justify="end">
                      <InspectLetter letter={letter} />
                      {canReplay ? (
                        <Button
                          size="1"
                          variant="soft"
                          loading={busy}
                          aria-label={`Replay ${letter.messageId}`}
                          onClick={() => void act("replayed", [letter.messageId])}
                        >
                          Replay
                        </Button>
                      ) : null}
                      <ConfirmButton
                        size="1"
                        label="Discard"
                        name={`Discard ${letter.messageId}`}
                        title={`Discard dead letter ${letter.messageId}?`}
                        description="It is removed for good and never delivered."
                        confirm="Yes, discard it"
                        busy={busy}
                        onConfirm={() => void act("discarded", [letter.messageId])}
                      />
                    </Flex>
                  </Table.Cell>
                </Table.Row>
              ))}
            </Table.Body>
          </Table.Root>
        </>
      )}
    </Flex>
  );
}
