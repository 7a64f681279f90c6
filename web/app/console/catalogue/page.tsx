// The catalogue editor: a page of products (the cursor in the URL), the categories, and new categories
// and products.
import { searchParam, type Search } from "../search";
import { CategoriesAndNewRecords } from "./categories-and-new-records";
import { ProductTable } from "./product-table";

export default async function CataloguePage({ searchParams }: { searchParams: Search }) {
  const after = await searchParam(searchParams, "after");
  return (
    <>
      <ProductTable key={after ?? ""} after={after} />
      <CategoriesAndNewRecords />
    </>
  );
}
