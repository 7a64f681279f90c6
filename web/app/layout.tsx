// The app's frame: Radix Themes, the session (Firebase in the browser), whether the API takes the user for
// an admin, the cart, and the navigation.
import "@radix-ui/themes/styles.css";

import { Box, Container, Flex, Link, Theme } from "@radix-ui/themes";
import type { Metadata } from "next";
import NextLink from "next/link";
import type { ReactNode } from "react";

import { CartProvider } from "@/lib/cart/cart";
import { ConsoleAccessProvider } from "@/lib/kiroku/console-client";
import { publicConfig } from "@/lib/session/config";
import { SessionProvider } from "@/lib/session/session";

import { AccountMenu } from "./account-menu";
import { CartIndicator } from "./cart-indicator";

export const metadata: Metadata = {
  title: "Kiroku",
  description: "Kiroku's storefront and operations console",
};

// Everything is read per request: the API's address and the read models change at run time.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Theme accentColor="teal" grayColor="sand" radius="medium">
          <SessionProvider config={publicConfig()}>
            <ConsoleAccessProvider>
              <CartProvider>
                <Box asChild style={{ borderBottom: "1px solid var(--gray-a5)" }}>
                  <header>
                    <Container size="4" px="4" py="3">
                      <Flex justify="between" align="center">
                        <Link asChild size="5" weight="bold" underline="none" highContrast>
                          <NextLink href="/">Kiroku</NextLink>
                        </Link>
                        <Flex gap="4" align="center">
                          <CartIndicator />
                          <AccountMenu />
                        </Flex>
                      </Flex>
                    </Container>
                  </header>
                </Box>
                <Container size="4" px="4" py="5">
                  <main>{children}</main>
                </Container>
              </CartProvider>
            </ConsoleAccessProvider>
          </SessionProvider>
        </Theme>
      </body>
    </html>
  );
}
