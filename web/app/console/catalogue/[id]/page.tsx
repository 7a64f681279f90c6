// One product in the catalogue editor: its details, price and stock changed against the version loaded.
import { ProductEditor } from "./product-editor";

export default async function ConsoleProductPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ProductEditor id={decodeURIComponent(id)} />;
}
