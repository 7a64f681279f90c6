// Every customer's orders, newest first, by status (a GET form), paged with the cursor in the URL.
import { searchParam, type Search } from "../search";
import { AllOrders } from "./all-orders";

export default async function ConsoleOrdersPage({ searchParams }: { searchParams: Search }) {
  const after = await searchParam(searchParams, "after");
  const status = await searchParam(searchParams, "status");
  return <AllOrders key={`${status}/${after}`} after={after} status={status} />;
}
