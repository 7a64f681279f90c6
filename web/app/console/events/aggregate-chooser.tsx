"use client";
// Which aggregate's events to read: its type and id, as a GET form.
import { Button, Flex, Select, TextField } from "@radix-ui/themes";

import { AGGREGATE_TYPES } from "@/lib/kiroku/console-operations";

import { Field } from "../field";

export function AggregateChooser({ type, id }: { type: string | null; id: string | null }) {
  return (
    <form method="get" action="/console/events" aria-label="Aggregate">
      <Flex gap="3" align="end" wrap="wrap">
        <Field label="Aggregate type">
          <Select.Root name="type" defaultValue={type ?? "Product"}>
            <Select.Trigger aria-label="Aggregate type" />
            <Select.Content>
              {AGGREGATE_TYPES.map((each) => (
                <Select.Item key={each} value={each}>
                  {each}
                </Select.Item>
              ))}
            </Select.Content>
          </Select.Root>
        </Field>
        <Field label="Aggregate id">
          <TextField.Root name="id" defaultValue={id ?? ""} required />
        </Field>
        <Button type="submit" variant="soft">
          Show events
        </Button>
      </Flex>
    </form>
  );
}
