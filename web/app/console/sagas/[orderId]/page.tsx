// One order's fulfilment saga: where it stands and its timeline, each event with what caused it.
import { SagaTimeline } from "./saga-timeline";

export default async function ConsoleSagaPage({ params }: { params: Promise<{ orderId: string }> }) {
  const { orderId } = await params;
  return <SagaTimeline orderId={decodeURIComponent(orderId)} />;
}
