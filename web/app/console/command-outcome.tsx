"use client";
// What a console command came to, announced beside its form: done (and the version it made), sent but
// not decided yet, or why it was refused.
import { Box, Callout } from "@radix-ui/themes";

import type { Sent } from "@/lib/kiroku/console-client";

import { Problem } from "./problem";

export function CommandOutcome({ sent, done, onReload }: { sent: Sent; done: string; onReload?: () => void }) {
  const { answer } = sent;
  return (
    <Box aria-live="polite">
      <Problem error={sent.error} onReload={onReload} />
      {answer?.status === "ACCEPTED" ? (
        <Callout.Root color="green" role="status">
          <Callout.Text>
            {done}
            {answer.version ? ` (version ${answer.version})` : ""}
          </Callout.Text>
        </Callout.Root>
      ) : answer ? (
        <Callout.Root color="blue" role="status">
          <Callout.Text>Sent as command {answer.commandId}; it is not decided yet.</Callout.Text>
        </Callout.Root>
      ) : null}
    </Box>
  );
}
