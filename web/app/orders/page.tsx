// The signed-in writer's orders, newest first, paged forward with the API's cursors (the cursor in the
// URL, as the storefront's); the list itself is read in the browser with the user's token.
import { MyOrders } from "./my-orders";

export default async function OrdersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { after } = await searchParams;
  return <MyOrders after={typeof after === "string" && after !== "" ? after : null} />;
}
