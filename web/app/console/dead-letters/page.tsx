// Dead letters: the messages one function gave up on (the function chosen in the URL), to inspect,
// replay once the cause is fixed, or discard.
import { searchParam, type Search } from "../search";
import { DeadLetterList } from "./dead-letter-list";
import { FunctionChooser } from "./function-chooser";

export default async function ConsoleDeadLettersPage({ searchParams }: { searchParams: Search }) {
  const chosen = await searchParam(searchParams, "function");
  return (
    <>
      <FunctionChooser chosen={chosen} />
      {chosen ? <DeadLetterList key={chosen} functionName={chosen} /> : null}
    </>
  );
}
