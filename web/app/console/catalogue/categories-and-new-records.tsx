"use client";
// The categories, read once for the three parts that need them: their table, the new category's form (a
// category created or changed is read back until the list shows it) and the new product's category choice.
import { Grid } from "@radix-ui/themes";

import { ConsoleCategoriesQuery } from "@/lib/kiroku/console-catalogue";
import { readBack, useConsoleQuery } from "@/lib/kiroku/console-client";

import { Problem } from "../problem";
import { CategoryTable } from "./category-table";
import { NewCategoryForm } from "./new-category-form";
import { NewProductForm } from "./new-product-form";

export function CategoriesAndNewRecords() {
  const { data, error, reload } = useConsoleQuery(ConsoleCategoriesQuery, {});
  const categories = data?.categories ?? [];
  const listed = (id: string, present: boolean) =>
    void readBack(reload, (read) => read?.categories.some((category) => category.id === id) === present);
  const changed = (id: string, version: number | null | undefined) =>
    void readBack(
      reload,
      (read) => !version || read?.categories.some((category) => category.id === id && category.version >= version) === true,
    );
  return (
    <>
      <Problem error={error} />
      <Grid columns={{ initial: "1", md: "2" }} gap="4">
        <NewCategoryForm onCreated={(id) => listed(id, true)} />
        <NewProductForm categories={categories} />
      </Grid>
      <CategoryTable
        categories={categories}
        onChanged={changed}
        onDeleted={(id) => listed(id, false)}
        onReload={() => void reload()}
      />
    </>
  );
}
