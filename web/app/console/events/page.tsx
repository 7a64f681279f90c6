// An aggregate's events as the event store holds them (the aggregate and the first version in the URL).
import { searchParam, type Search } from "../search";
import { AggregateChooser } from "./aggregate-chooser";
import { EventTable } from "./event-table";

export default async function ConsoleEventsPage({ searchParams }: { searchParams: Search }) {
  const type = await searchParam(searchParams, "type");
  const id = await searchParam(searchParams, "id");
  const from = Number((await searchParam(searchParams, "from")) ?? "1");
  const fromVersion = Number.isSafeInteger(from) && from >= 1 ? from : 1;
  return (
    <>
      <AggregateChooser type={type} id={id} />
      {type && id ? <EventTable key={`${type}/${id}/${fromVersion}`} type={type} id={id} fromVersion={fromVersion} /> : null}
    </>
  );
}
