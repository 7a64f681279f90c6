"use client";
// One dead letter's body in a dialog: the envelope as JSON when it parses, else the text as it came.
import { Button, Code, Dialog, Flex, ScrollArea } from "@radix-ui/themes";

import type { ConsoleDeadLettersQuery } from "@/src/gql/graphql";

import { prettyJson } from "../pretty-json";

type Letter = ConsoleDeadLettersQuery["deadLetters"][number];

export function InspectLetter({ letter }: { letter: Letter }) {
  return (
    <Dialog.Root>
      <Dialog.Trigger>
        <Button size="1" variant="soft" color="gray" aria-label={`Inspect ${letter.messageId}`}>
          Inspect
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="760px">
        <Dialog.Title>Dead letter {letter.messageId}</Dialog.Title>
        <Dialog.Description size="2">
          {letter.type ?? "No type"} for {letter.aggregateType ?? "?"} {letter.aggregateId ?? "?"}, given up after{" "}
          {letter.deliveryAttempts ?? "?"} attempts.
        </Dialog.Description>
        <ScrollArea style={{ maxHeight: 420, marginTop: 12 }}>
          <Code asChild variant="ghost" size="1">
            <pre style={{ whiteSpace: "pre-wrap" }} data-testid="dead-letter-body">
              {prettyJson(letter.data)}
            </pre>
          </Code>
        </ScrollArea>
        <Flex justify="end" mt="3">
          <Dialog.Close>
            <Button variant="soft" color="gray">
              Close
            </Button>
          </Dialog.Close>
        </Flex>
      </Dialog.Content>
    </Dialog.Root>
  );
}
