// A console page's URL state (cursor, filters) as the server page receives it.
export type Search = Promise<Record<string, string | string[] | undefined>>;

/** One query parameter's value; null when absent or empty. */
export async function searchParam(search: Search, name: string): Promise<string | null> {
  const value = (await search)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === "" ? null : first;
}
