"use client";
// A product's price: an exact decimal string and its currency, changed against the version loaded.
import { Button, Flex, Heading, TextField } from "@radix-ui/themes";
import type { FormEvent } from "react";

import { useKiroku } from "@/lib/kiroku/browser";
import { ChangePriceMutation } from "@/lib/kiroku/console-catalogue";
import { useCommand } from "@/lib/kiroku/console-client";

import { CommandOutcome } from "../../command-outcome";
import { Field, formText } from "../../field";
import type { ProductFormProps } from "./details-form";

export function PriceForm({ product, onChanged, onReload }: ProductFormProps) {
  const run = useKiroku();
  const sent = useCommand();

  async function submitted(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      productId: product.id,
      price: { amount: formText(form, "amount") ?? "", currency: formText(form, "currency") ?? "" },
      expectedVersion: product.version,
    };
    const answer = await sent.send(async (commandId) => (await run(ChangePriceMutation, { input, commandId })).changePrice);
    if (answer?.status === "ACCEPTED") {
      onChanged(answer.version);
    }
  }

  return (
    <form onSubmit={(event) => void submitted(event)} aria-label="Price">
      <Flex direction="column" gap="3">
        <Heading as="h3" size="4">
          Price
        </Heading>
        <Flex gap="3" align="end">
          <Field label="New price">
            <TextField.Root name="amount" defaultValue={product.price} inputMode="decimal" required />
          </Field>
          <Field label="Currency">
            <TextField.Root name="currency" defaultValue={product.currency} required style={{ width: 80 }} />
          </Field>
          <Button type="submit" loading={sent.busy}>
            Change price
          </Button>
        </Flex>
        <CommandOutcome sent={sent} done="Price changed." onReload={onReload} />
      </Flex>
    </form>
  );
}
