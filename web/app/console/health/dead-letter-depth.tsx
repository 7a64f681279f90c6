"use client";
// How many dead letters each topic-triggered function holds. The API looks at one function's letters
// at a time and waits up to 2 seconds for an empty one, so the functions are asked a few at a time and
// each count shows as it comes.
import { Badge, Card, Flex, Heading, Link, Spinner, Text } from "@radix-ui/themes";
import NextLink from "next/link";
import { useEffect, useState } from "react";

import { useKiroku } from "@/lib/kiroku/browser";
import { COMMAND_FUNCTIONS, EVENT_FUNCTIONS } from "@/lib/kiroku/console-functions";
import { DEAD_LETTER_PAGE, DeadLetterDepthQuery } from "@/lib/kiroku/console-operations";

const AT_ONCE = 4;
const FUNCTIONS: readonly string[] = [...COMMAND_FUNCTIONS, ...EVENT_FUNCTIONS];

/** A function's depth: a count, or null when the API could not say. */
type Depths = Record<string, number | null>;

export function DeadLetterDepth() {
  const run = useKiroku();
  const [depths, setDepths] = useState<Depths>({});
  useEffect(() => {
    let current = true;
    const waiting = [...FUNCTIONS];
    const worker = async () => {
      for (let name = waiting.shift(); name !== undefined && current; name = waiting.shift()) {
        const counted = name;
        const depth = await run(DeadLetterDepthQuery, { function: counted }).then(
          ({ deadLetters }) => deadLetters.length,
          () => null,
        );
        if (current) {
          setDepths((previous) => ({ ...previous, [counted]: depth }));
        }
      }
    };
    void Promise.all(Array.from({ length: AT_ONCE }, worker));
    return () => {
      current = false;
    };
  }, [run]);
  const counted = Object.keys(depths).length;
  const total = Object.values(depths).reduce<number>((sum, depth) => sum + (depth ?? 0), 0);
  return (
    <Card>
      <Flex direction="column" gap="3">
        <Flex justify="between" align="center">
          <Heading as="h2" size="4">
            Dead letters
          </Heading>
          {counted < FUNCTIONS.length ? (
            <Flex gap="2" align="center">
              <Spinner /> <Text size="2">{counted} of {FUNCTIONS.length} functions counted</Text>
            </Flex>
          ) : (
            <Badge color={total > 0 ? "red" : "green"} data-testid="dead-letter-total">
              {total} in all
            </Badge>
          )}
        </Flex>
        <Flex gap="2" wrap="wrap" role="group" aria-label="Dead letters by function">
          {FUNCTIONS.filter((name) => name in depths).map((name) => {
            const depth = depths[name];
            return (
              <Badge key={name} color={depth === null ? "orange" : depth === 0 ? "gray" : "red"} asChild>
                <NextLink href={`/console/dead-letters?function=${name}`}>
                  {name}: {depth === null ? "?" : depth === DEAD_LETTER_PAGE ? `${depth}+` : depth}
                </NextLink>
              </Badge>
            );
          })}
        </Flex>
        <Link asChild size="2">
          <NextLink href="/console/dead-letters">Inspect, replay or discard dead letters</NextLink>
        </Link>
      </Flex>
    </Card>
  );
}
