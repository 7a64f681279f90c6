"use client";
// Deleting the product, against the version loaded.
import { Flex, Heading } from "@radix-ui/themes";

import { useKiroku } from "@/lib/kiroku/browser";
import { DeleteProductMutation } from "@/lib/kiroku/console-catalogue";
import { useCommand } from "@/lib/kiroku/console-client";

import { CommandOutcome } from "../../command-outcome";
import { ConfirmButton } from "../../confirm-button";
import type { ProductFormProps } from "./details-form";

export function DeleteProduct({ product, onChanged, onReload }: ProductFormProps) {
  const run = useKiroku();
  const sent = useCommand();

  async function remove() {
    const answer = await sent.send(
      async (commandId) =>
        (await run(DeleteProductMutation, { id: product.id, expectedVersion: product.version, commandId })).deleteProduct,
    );
    if (answer?.status === "ACCEPTED") {
      onChanged(answer.version);
    }
  }

  return (
    <Flex direction="column" gap="3">
      <Heading as="h3" size="4">
        Delete
      </Heading>
      <ConfirmButton
        label="Delete product"
        title={`Delete ${product.name}?`}
        description="It leaves the shop; orders already placed keep their lines."
        confirm="Yes, delete it"
        busy={sent.busy}
        onConfirm={() => void remove()}
      />
      <CommandOutcome sent={sent} done="Product deleted." onReload={onReload} />
    </Flex>
  );
}
