"use client";
// The cart in the header: how many items it holds, a link to it.
import { Badge, Flex, Link } from "@radix-ui/themes";
import NextLink from "next/link";

import { useCart } from "@/lib/cart/cart";

export function CartIndicator() {
  const cart = useCart();
  return (
    <Link asChild size="2">
      <NextLink href="/cart" aria-label={`Cart, ${cart.count} ${cart.count === 1 ? "item" : "items"}`}>
        <Flex gap="1" align="center">
          Cart
          <Badge color={cart.count > 0 ? "teal" : "gray"} variant="solid" radius="full" data-testid="cart-count">
            {cart.count}
          </Badge>
        </Flex>
      </NextLink>
    </Link>
  );
}
