// The operations console's frame: every /console page behind the admin gate, under the console's tabs.
import { Flex, Heading } from "@radix-ui/themes";
import type { ReactNode } from "react";

import { ConsoleGate } from "./console-gate";
import { ConsoleTabs } from "./console-tabs";

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <Flex direction="column" gap="4">
      <Heading as="h1" size="7">
        Operations console
      </Heading>
      <ConsoleGate>
        <ConsoleTabs />
        {children}
      </ConsoleGate>
    </Flex>
  );
}
