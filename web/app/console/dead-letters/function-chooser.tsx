"use client";
// Which function's dead letters to look at: a GET form, the choice in the URL.
import { Button, Flex, Select, Text } from "@radix-ui/themes";

import { COMMAND_FUNCTIONS, EVENT_FUNCTIONS } from "@/lib/kiroku/console-functions";

export function FunctionChooser({ chosen }: { chosen: string | null }) {
  return (
    <form method="get" action="/console/dead-letters" aria-label="Function">
      <Flex gap="3" align="center" wrap="wrap">
        <Text as="label" size="2">
          <Flex gap="2" align="center">
            Function
            <Select.Root name="function" defaultValue={chosen ?? undefined}>
              <Select.Trigger placeholder="Choose a function" aria-label="Function" />
              <Select.Content>
                <Select.Group>
                  <Select.Label>Commands</Select.Label>
                  {COMMAND_FUNCTIONS.map((name) => (
                    <Select.Item key={name} value={name}>
                      {name}
                    </Select.Item>
                  ))}
                </Select.Group>
                <Select.Separator />
                <Select.Group>
                  <Select.Label>Events</Select.Label>
                  {EVENT_FUNCTIONS.map((name) => (
                    <Select.Item key={name} value={name}>
                      {name}
                    </Select.Item>
                  ))}
                </Select.Group>
              </Select.Content>
            </Select.Root>
          </Flex>
        </Text>
        <Button type="submit" variant="soft">
          Show dead letters
        </Button>
      </Flex>
    </form>
  );
}
