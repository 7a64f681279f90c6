"use client";
// A new category: its id (or one the API derives), name and description.
import { Button, Card, Flex, Heading, TextArea, TextField } from "@radix-ui/themes";

import { CreateCategoryMutation } from "@/lib/kiroku/console-catalogue";
import { useCommandForm } from "@/lib/kiroku/console-client";

import { CommandOutcome } from "../command-outcome";
import { Field, formText } from "../field";

export function NewCategoryForm({ onCreated }: { onCreated(id: string): void }) {
  const { sent, onSubmit } = useCommandForm(
    async (run, form, commandId) => {
      const input = {
        id: formText(form, "id"),
        name: formText(form, "name") ?? "",
        description: formText(form, "description") ?? "",
      };
      return (await run(CreateCategoryMutation, { input, commandId })).createCategory;
    },
    (answer) => onCreated(answer.aggregateId),
  );

  return (
    <Card>
      <form onSubmit={onSubmit} aria-label="New category">
        <Flex direction="column" gap="3">
          <Heading as="h2" size="4">
            New category
          </Heading>
          <Field label="Category id (optional)">
            <TextField.Root name="id" />
          </Field>
          <Field label="Category name">
            <TextField.Root name="name" required />
          </Field>
          <Field label="Category description">
            <TextArea name="description" />
          </Field>
          <Button type="submit" loading={sent.busy} style={{ alignSelf: "start" }}>
            Create category
          </Button>
          <CommandOutcome sent={sent} done={`Category ${sent.answer?.aggregateId ?? ""} created.`} />
        </Flex>
      </form>
    </Card>
  );
}
