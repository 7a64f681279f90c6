"use client";
// The categories with their versions, each editable and deletable against the version listed (the API
// refuses to delete a category products still use). A deletion's answer is announced above the table.
import { Card, Flex, Heading, Table, VisuallyHidden } from "@radix-ui/themes";

import { useKiroku } from "@/lib/kiroku/browser";
import { DeleteCategoryMutation } from "@/lib/kiroku/console-catalogue";
import { useCommand } from "@/lib/kiroku/console-client";
import type { ConsoleCategoriesQuery } from "@/src/gql/graphql";

import { CommandOutcome } from "../command-outcome";
import { ConfirmButton } from "../confirm-button";
import { EditCategory } from "./edit-category";

export function CategoryTable({
  categories,
  onChanged,
  onDeleted,
  onReload,
}: {
  categories: ConsoleCategoriesQuery["categories"];
  /** A category was changed, making this version. */
  onChanged(id: string, version: number | null | undefined): void;
  onDeleted(id: string): void;
  onReload(): void;
}) {
  const run = useKiroku();
  const sent = useCommand();

  async function remove(id: string, expectedVersion: number) {
    const answer = await sent.send(
      async (commandId) => (await run(DeleteCategoryMutation, { id, expectedVersion, commandId })).deleteCategory,
    );
    if (answer?.status === "ACCEPTED") {
      onDeleted(id);
    }
  }

  return (
    <Card>
      <Flex direction="column" gap="3">
        <Heading as="h2" size="4">
          Categories
        </Heading>
        <CommandOutcome sent={sent} done={`Category ${sent.answer?.aggregateId ?? ""} deleted.`} onReload={onReload} />
        <Table.Root size="1">
          <VisuallyHidden asChild>
            <caption>Categories</caption>
          </VisuallyHidden>
          <Table.Header>
            <Table.Row>
              <Table.ColumnHeaderCell>Category</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell>Id</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell justify="end">Version</Table.ColumnHeaderCell>
              <Table.ColumnHeaderCell />
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {categories.map((category) => (
              <Table.Row key={category.id} data-category-id={category.id} align="center">
                <Table.RowHeaderCell>{category.name}</Table.RowHeaderCell>
                <Table.Cell>{category.id}</Table.Cell>
                <Table.Cell justify="end">{category.version}</Table.Cell>
                <Table.Cell justify="end">
                  <Flex gap="2" justify="end">
                    <EditCategory
                      category={category}
                      onChanged={(version) => onChanged(category.id, version)}
                      onReload={onReload}
                    />
                    <ConfirmButton
                      size="1"
                      label="Delete"
                      name={`Delete category ${category.name}`}
                      title={`Delete the category ${category.name}?`}
                      description="Only a category no product uses can be deleted."
                      confirm="Yes, delete it"
                      busy={sent.busy}
                      onConfirm={() => void remove(category.id, category.version)}
                    />
                  </Flex>
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table.Root>
      </Flex>
    </Card>
  );
}
