"use client";
// A product's price: an exact decimal string and its currency, changed against the version loaded.
import { Button, Flex, Heading, TextField } from "@radix-ui/themes";

import { ChangePriceMutation } from "@/lib/kiroku/console-catalogue";
import { useCommandForm } from "@/lib/kiroku/console-client";

import { CommandOutcome } from "../../command-outcome";
import { Field, formText } from "../../field";
import type { ProductFormProps } from "./details-form";

export function PriceForm({ product, onChanged, onReload }: ProductFormProps) {
  const { sent, onSubmit } = useCommandForm(
    async (run, form, commandId) => {
      const input = {
        productId: product.id,
        price: { amount: formText(form, "amount") ?? "", currency: formText(form, "currency") ?? "" },
        expectedVersion: product.version,
      };
      return (await run(ChangePriceMutation, { input, commandId })).changePrice;
    },
    (answer) => onChanged(answer.version),
  );

  return (
    <form onSubmit={onSubmit} aria-label="Price">
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
