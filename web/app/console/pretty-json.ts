// JSON text the API hands over (an event's payload, a dead letter's body) indented for reading; text
// that is not JSON is shown as it came.
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
