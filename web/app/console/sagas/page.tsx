// The saga monitor: every saga counted by status and cancel reason, and a page of them by status or
// stuck (the filters and the cursor in the URL), kept current as sagas change.
import { searchParam, type Search } from "../search";
import { LiveSagaMonitor } from "./live-saga-monitor";

export default async function ConsoleSagasPage({ searchParams }: { searchParams: Search }) {
  const after = await searchParam(searchParams, "after");
  const status = await searchParam(searchParams, "status");
  const stuck = (await searchParam(searchParams, "stuck")) === "on";
  return <LiveSagaMonitor after={after} status={status} stuck={stuck} />;
}
