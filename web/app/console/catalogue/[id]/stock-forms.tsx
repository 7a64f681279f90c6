"use client";
// A product's stock: units received (a restock) and a correction up or down (a count found more or
// fewer). Both add to whatever the stock is now, so neither is tied to the version loaded (the API takes
// no expectedVersion for them); each records its reason.
import { Button, Flex, Heading, TextField } from "@radix-ui/themes";

import { AdjustStockMutation, RestockProductMutation } from "@/lib/kiroku/console-catalogue";
import { useCommandForm, type FormCommand } from "@/lib/kiroku/console-client";

import { CommandOutcome } from "../../command-outcome";
import { Field, formText } from "../../field";
import type { ProductFormProps } from "./details-form";

type StockFormProps = Omit<ProductFormProps, "onReload">;

export function RestockForm({ product, onChanged }: StockFormProps) {
  return (
    <StockForm
      title="Restock"
      units="Units received"
      min={1}
      reason="restock"
      done="Stock added."
      onChanged={onChanged}
      command={async (run, form, commandId) => {
        const input = { productId: product.id, quantity: units(form), reason: formText(form, "reason") ?? "restock" };
        return (await run(RestockProductMutation, { input, commandId })).restockProduct;
      }}
    />
  );
}

export function AdjustStockForm({ product, onChanged }: StockFormProps) {
  return (
    <StockForm
      title="Correct the stock"
      units="Units to add (or remove, below 0)"
      done="Stock corrected."
      onChanged={onChanged}
      command={async (run, form, commandId) => {
        const input = { productId: product.id, delta: units(form), reason: formText(form, "reason") ?? "" };
        return (await run(AdjustStockMutation, { input, commandId })).adjustStock;
      }}
    />
  );
}

function units(form: FormData): number {
  return Number(formText(form, "units") ?? "0");
}

function StockForm({
  title,
  units: unitsLabel,
  min,
  reason,
  done,
  command,
  onChanged,
}: {
  title: string;
  units: string;
  min?: number;
  /** The reason offered; none: the admin must give one. */
  reason?: string;
  done: string;
  command: FormCommand;
  onChanged: StockFormProps["onChanged"];
}) {
  const { sent, onSubmit } = useCommandForm(command, (answer) => onChanged(answer.version));
  return (
    <form onSubmit={onSubmit} aria-label={title}>
      <Flex direction="column" gap="3">
        <Heading as="h3" size="4">
          {title}
        </Heading>
        <Flex gap="3" align="end" wrap="wrap">
          <Field label={unitsLabel}>
            <TextField.Root name="units" type="number" min={min} required style={{ width: 110 }} />
          </Field>
          <Field label="Reason">
            <TextField.Root name="reason" defaultValue={reason} required />
          </Field>
          <Button type="submit" loading={sent.busy}>
            {title}
          </Button>
        </Flex>
        <CommandOutcome sent={sent} done={done} />
      </Flex>
    </form>
  );
}
