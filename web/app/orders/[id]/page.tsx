// One order, followed live in the browser (its progress needs the signed-in user's token).
import { OrderProgress } from "./order-progress";

export default async function OrderPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { command } = await searchParams;
  return <OrderProgress id={decodeURIComponent(id)} command={typeof command === "string" ? command : null} />;
}
