// One conversation's trace (an order's, a catalogue change's): the waterfall of its spans.
import { TraceWaterfall } from "./trace-waterfall";

export default async function ConsoleTracePage({ params }: { params: Promise<{ correlationId: string }> }) {
  const { correlationId } = await params;
  return <TraceWaterfall correlationId={decodeURIComponent(correlationId)} />;
}
