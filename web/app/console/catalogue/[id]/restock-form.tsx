"use client";
// Units received into a product's stock. A restock adds to whatever the stock is now, so it is not tied
// to the version loaded (the API takes no expectedVersion for it).
import { Button, Flex, Heading, TextField } from "@radix-ui/themes";
import type { FormEvent } from "react";

import { useKiroku } from "@/lib/kiroku/browser";
import { RestockProductMutation } from "@/lib/kiroku/console-catalogue";
import { useCommand } from "@/lib/kiroku/console-client";

import { CommandOutcome } from "../../command-outcome";
import { Field, formText } from "../../field";
import type { ProductFormProps } from "./details-form";

export function RestockForm({ product, onChanged }: Omit<ProductFormProps, "onReload">) {
  const run = useKiroku();
  const sent = useCommand();

  async function submitted(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      productId: product.id,
      quantity: Number(formText(form, "quantity") ?? "0"),
      reason: formText(form, "reason") ?? "restock",
    };
    const answer = await sent.send(async (commandId) => (await run(RestockProductMutation, { input, commandId })).restockProduct);
    if (answer?.status === "ACCEPTED") {
      onChanged(answer.version);
    }
  }

  return (
    <form onSubmit={(event) => void submitted(event)} aria-label="Restock">
      <Flex direction="column" gap="3">
        <Heading as="h3" size="4">
          Restock
        </Heading>
        <Flex gap="3" align="end" wrap="wrap">
          <Field label="Units received">
            <TextField.Root name="quantity" type="number" min={1} required style={{ width: 110 }} />
          </Field>
          <Field label="Reason">
            <TextField.Root name="reason" defaultValue="restock" />
          </Field>
          <Button type="submit" loading={sent.busy}>
            Restock
          </Button>
        </Flex>
        <CommandOutcome sent={sent} done="Stock added." />
      </Flex>
    </form>
  );
}
