"use client";
// Who is signed in, with sign-in and sign-out, and the console for an admin; the header shows it on every
// page.
import { Button, Flex, Link, Text } from "@radix-ui/themes";
import NextLink from "next/link";

import { useConsoleAccess } from "@/lib/kiroku/console-client";
import { useSession } from "@/lib/session/session";

export function AccountMenu() {
  const session = useSession();
  const access = useConsoleAccess();
  if (!session.ready) {
    return null;
  }
  if (session.user === null) {
    return (
      <Link asChild>
        <NextLink href="/sign-in">Sign in</NextLink>
      </Link>
    );
  }
  return (
    <Flex gap="3" align="center">
      {access === "admin" ? (
        <Link asChild size="2">
          <NextLink href="/console">Console</NextLink>
        </Link>
      ) : null}
      <Link asChild size="2">
        <NextLink href="/orders">My orders</NextLink>
      </Link>
      <Text size="2" color="gray" data-testid="signed-in-as">
        {session.user.email}
      </Text>
      <Button variant="soft" size="1" onClick={() => void session.signOut()}>
        Sign out
      </Button>
    </Flex>
  );
}
