"use client";
// A new product: id (or one the API derives), name, description, price as an exact decimal string and its
// currency, category, and the stock it starts with.
import { Button, Card, Flex, Grid, Heading, Link, Select, TextArea, TextField } from "@radix-ui/themes";
import NextLink from "next/link";

import { CreateProductMutation } from "@/lib/kiroku/console-catalogue";
import { useCommandForm } from "@/lib/kiroku/console-client";
import type { ConsoleCategoriesQuery } from "@/src/gql/graphql";

import { CommandOutcome } from "../command-outcome";
import { Field, formText } from "../field";

export function NewProductForm({ categories }: { categories: ConsoleCategoriesQuery["categories"] }) {
  const { sent, onSubmit } = useCommandForm(async (run, form, commandId) => {
    const input = {
      id: formText(form, "id"),
      name: formText(form, "name") ?? "",
      description: formText(form, "description") ?? "",
      price: { amount: formText(form, "amount") ?? "", currency: formText(form, "currency") ?? "" },
      categoryId: formText(form, "categoryId") ?? "",
      initialStock: Number(formText(form, "initialStock") ?? "0"),
    };
    return (await run(CreateProductMutation, { input, commandId })).createProduct;
  });

  const created = sent.answer?.aggregateId;
  return (
    <Card>
      <form onSubmit={onSubmit} aria-label="New product">
        <Flex direction="column" gap="3">
          <Heading as="h2" size="4">
            New product
          </Heading>
          <Field label="Product id (optional)">
            <TextField.Root name="id" />
          </Field>
          <Field label="Product name">
            <TextField.Root name="name" required />
          </Field>
          <Field label="Product description">
            <TextArea name="description" />
          </Field>
          <Grid columns="3" gap="3">
            <Field label="Price">
              <TextField.Root name="amount" inputMode="decimal" placeholder="12.50" required />
            </Field>
            <Field label="Currency">
              <TextField.Root name="currency" defaultValue="EUR" required />
            </Field>
            <Field label="Initial stock">
              <TextField.Root name="initialStock" type="number" min={0} defaultValue="0" />
            </Field>
          </Grid>
          <Field label="Category">
            <Select.Root name="categoryId" required>
              <Select.Trigger placeholder="Choose a category" aria-label="Category" style={{ width: "100%" }} />
              <Select.Content>
                {categories.map((category) => (
                  <Select.Item key={category.id} value={category.id}>
                    {category.name}
                  </Select.Item>
                ))}
              </Select.Content>
            </Select.Root>
          </Field>
          <Button type="submit" loading={sent.busy} style={{ alignSelf: "start" }}>
            Create product
          </Button>
          <CommandOutcome sent={sent} done={`Product ${created ?? ""} created.`} />
          {sent.answer?.status === "ACCEPTED" && created ? (
            <Link asChild size="2">
              <NextLink href={`/console/catalogue/${encodeURIComponent(created)}`}>Edit the new product</NextLink>
            </Link>
          ) : null}
        </Flex>
      </form>
    </Card>
  );
}
