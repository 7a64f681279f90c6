"use client";
// Cancelling an order, asked for once more in a dialog; the API's answer (a cancellation under way, or why
// not) is shown in words. The commandId is kept for the order, so a retry after a lost answer is the
// same cancellation.
import { AlertDialog, Button, Flex } from "@radix-ui/themes";
import { useRef, useState } from "react";

import { useKiroku } from "@/lib/kiroku/browser";
import { describeError, describeRejection } from "@/lib/kiroku/errors";
import { CancelOrderMutation } from "@/lib/kiroku/orders";

export interface CancelOutcome {
  ok: boolean;
  message: string;
}

export function CancelOrderButton({
  orderId,
  label,
  onOutcome,
}: {
  orderId: string;
  label: string;
  onOutcome(outcome: CancelOutcome): void;
}) {
  const run = useKiroku();
  const commandId = useRef<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function cancel() {
    commandId.current ??= crypto.randomUUID();
    setBusy(true);
    try {
      const result = (await run(CancelOrderMutation, { id: orderId, commandId: commandId.current })).cancelOrder;
      if (result.status === "ACCEPTED") {
        onOutcome({
          ok: true,
          message: `Order ${label} is being cancelled: anything charged is refunded and the items go back on the shelf.`,
        });
      } else if (result.status === "REJECTED") {
        onOutcome({ ok: false, message: describeRejection(result.error ?? { code: "", message: "" }) });
      } else {
        onOutcome({ ok: true, message: `Your cancellation of order ${label} was sent; it is taking a little longer.` });
      }
    } catch (error) {
      onOutcome({ ok: false, message: describeError(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger>
        <Button variant="soft" color="red" size="1" loading={busy} aria-label={`Cancel order ${label}`}>
          Cancel order
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Content maxWidth="420px">
        <AlertDialog.Title>Cancel order {label}?</AlertDialog.Title>
        <AlertDialog.Description size="2">
          Anything charged is refunded and the items go back on the shelf.
        </AlertDialog.Description>
        <Flex gap="3" mt="4" justify="end">
          <AlertDialog.Cancel>
            <Button variant="soft" color="gray">
              Keep the order
            </Button>
          </AlertDialog.Cancel>
          <AlertDialog.Action>
            <Button color="red" onClick={() => void cancel()}>
              Yes, cancel it
            </Button>
          </AlertDialog.Action>
        </Flex>
      </AlertDialog.Content>
    </AlertDialog.Root>
  );
}

/** The short label of an order for people: the start of its id. */
export function orderLabel(id: string): string {
  return id.slice(0, 8).toUpperCase();
}
