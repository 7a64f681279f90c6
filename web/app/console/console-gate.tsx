"use client";
// Admins only: the console's pages mount (and read anything) once the API has answered the signed-in
// user an admin-only field; anyone else is told so and shown nothing. The API refuses them the admin
// fields anyway: this only spares them a page of refusals.
import { Callout, Flex, Link, Spinner, Text } from "@radix-ui/themes";
import NextLink from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

import { useConsoleAccess } from "@/lib/kiroku/console-client";

export function ConsoleGate({ children }: { children: ReactNode }) {
  const access = useConsoleAccess();
  const path = usePathname();
  if (access === "checking") {
    return (
      <Flex gap="2" align="center">
        <Spinner /> <Text color="gray">Checking your access…</Text>
      </Flex>
    );
  }
  if (access === "unreachable") {
    return (
      <Callout.Root color="red" role="alert">
        <Callout.Text>The console could not ask the API who you are. Reload the page to try again.</Callout.Text>
      </Callout.Root>
    );
  }
  if (access !== "admin") {
    return (
      <Callout.Root color="orange" role="alert" data-testid="admins-only">
        <Callout.Text>
          The operations console is for admins only.{" "}
          {access === "signed-out" ? (
            <Link asChild>
              <NextLink href={`/sign-in?next=${encodeURIComponent(path)}`}>Sign in as an admin</NextLink>
            </Link>
          ) : (
            "Your account is not an admin's."
          )}
        </Callout.Text>
      </Callout.Root>
    );
  }
  return <>{children}</>;
}
