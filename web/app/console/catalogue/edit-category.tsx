"use client";
// A category's name and description, changed in a dialog against the version its row shows (a change
// made meanwhile is refused as a conflict, with a way to read the latest).
import { Button, Dialog, Flex, TextArea, TextField } from "@radix-ui/themes";
import { useState } from "react";

import { UpdateCategoryMutation } from "@/lib/kiroku/console-catalogue";
import { useCommandForm } from "@/lib/kiroku/console-client";
import type { ConsoleCategoriesQuery } from "@/src/gql/graphql";

import { CommandOutcome } from "../command-outcome";
import { Field, formText } from "../field";

type Category = ConsoleCategoriesQuery["categories"][number];

export function EditCategory({
  category,
  onChanged,
  onReload,
}: {
  category: Category;
  onChanged(version: number | null | undefined): void;
  onReload(): void;
}) {
  const [open, setOpen] = useState(false);
  const { sent, onSubmit } = useCommandForm(
    async (run, form, commandId) => {
      const input = {
        id: category.id,
        name: formText(form, "name") ?? "",
        description: formText(form, "description") ?? "",
        expectedVersion: category.version,
      };
      return (await run(UpdateCategoryMutation, { input, commandId })).updateCategory;
    },
    (answer) => {
      setOpen(false);
      onChanged(answer.version);
    },
  );
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger>
        <Button size="1" variant="soft" aria-label={`Edit category ${category.name}`}>
          Edit
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="480px">
        <Dialog.Title>Edit the category {category.name}</Dialog.Title>
        <Dialog.Description size="2">
          Changed against version {category.version}; products keep their category.
        </Dialog.Description>
        <form onSubmit={onSubmit} aria-label={`Category ${category.id}`}>
          <Flex direction="column" gap="3" mt="3">
            <Field label="Category name">
              <TextField.Root name="name" defaultValue={category.name} required />
            </Field>
            <Field label="Category description">
              <TextArea name="description" defaultValue={category.description} />
            </Field>
            <Flex gap="3" justify="end">
              <Dialog.Close>
                <Button type="button" variant="soft" color="gray">
                  Cancel
                </Button>
              </Dialog.Close>
              <Button type="submit" loading={sent.busy}>
                Save category
              </Button>
            </Flex>
            <CommandOutcome sent={sent} done="Category saved." onReload={onReload} />
          </Flex>
        </form>
      </Dialog.Content>
    </Dialog.Root>
  );
}
