"use client";
// A list's status filter as a GET form: the chosen status lands in the URL, as the storefront's filters.
import { Button, Checkbox, Flex, Select, Text } from "@radix-ui/themes";

const ANY = "any";

export function StatusFilter({
  path,
  statuses,
  status,
  stuck,
}: {
  path: string;
  statuses: readonly string[];
  status: string | null;
  /** Whether the list also filters on stuck (undefined: it does not). */
  stuck?: boolean;
}) {
  return (
    <form method="get" action={path} aria-label="Filter">
      <Flex gap="3" align="center" wrap="wrap">
        <Text as="label" size="2">
          <Flex gap="2" align="center">
            Status
            <Select.Root name="status" defaultValue={status ?? ANY}>
              <Select.Trigger aria-label="Status" />
              <Select.Content>
                <Select.Item value={ANY}>Any</Select.Item>
                {statuses.map((each) => (
                  <Select.Item key={each} value={each}>
                    {each}
                  </Select.Item>
                ))}
              </Select.Content>
            </Select.Root>
          </Flex>
        </Text>
        {stuck === undefined ? null : (
          <Text as="label" size="2">
            <Flex gap="2" align="center">
              <Checkbox name="stuck" defaultChecked={stuck} /> Stuck only
            </Flex>
          </Text>
        )}
        <Button type="submit" variant="soft">
          Show
        </Button>
      </Flex>
    </form>
  );
}

/** The status a filter chose; null for any. */
export function chosenStatus(value: string | null): string | null {
  return value === null || value === ANY ? null : value;
}
