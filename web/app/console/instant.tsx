// A moment the API gives (RFC 3339), shown in UTC with its exact value in the element.
const UTC = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export function Instant({ at }: { at: string | null | undefined }) {
  if (!at) {
    return <>—</>;
  }
  return (
    <time dateTime={at} data-testid="instant">
      {UTC.format(new Date(at))}
    </time>
  );
}
