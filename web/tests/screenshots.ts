// Where the browser tests' screenshots go: the README's (docs/screenshots), unless the run that drives
// them names another directory (KIROKU_SCREENSHOTS), as the second backend's run does.
import path from "node:path";

export function screenshot(name: string): string {
  return path.join(process.env.KIROKU_SCREENSHOTS ?? "../docs/screenshots", name);
}
