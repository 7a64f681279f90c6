"use client";
// A product's name and description, changed against the version the form was loaded with.
import { Button, Flex, Heading, TextArea, TextField } from "@radix-ui/themes";

import { UpdateProductMutation } from "@/lib/kiroku/console-catalogue";
import { useCommandForm } from "@/lib/kiroku/console-client";

import { CommandOutcome } from "../../command-outcome";
import { Field, formText } from "../../field";
import type { EditedProduct } from "./product-editor";

export interface ProductFormProps {
  product: EditedProduct;
  /** The change was accepted, making this version. */
  onChanged(version: number | null | undefined): void;
  /** Read the latest version (after a conflict). */
  onReload(): void;
}

export function DetailsForm({ product, onChanged, onReload }: ProductFormProps) {
  const { sent, onSubmit } = useCommandForm(
    async (run, form, commandId) => {
      const input = {
        id: product.id,
        name: formText(form, "name") ?? "",
        description: formText(form, "description") ?? "",
        expectedVersion: product.version,
      };
      return (await run(UpdateProductMutation, { input, commandId })).updateProduct;
    },
    (answer) => onChanged(answer.version),
  );

  return (
    <form onSubmit={onSubmit} aria-label="Product details">
      <Flex direction="column" gap="3">
        <Heading as="h3" size="4">
          Details
        </Heading>
        <Field label="Name">
          <TextField.Root name="name" defaultValue={product.name} required />
        </Field>
        <Field label="Description">
          <TextArea name="description" defaultValue={product.description} rows={6} />
        </Field>
        <Button type="submit" loading={sent.busy} style={{ alignSelf: "start" }}>
          Save details
        </Button>
        <CommandOutcome sent={sent} done="Details saved." onReload={onReload} />
      </Flex>
    </form>
  );
}
