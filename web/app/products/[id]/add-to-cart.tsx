"use client";
// Add the product to the cart, so many at a time; the result is announced (aria-live) beside the button.
import { Button, Flex, Link, Text, TextField } from "@radix-ui/themes";
import NextLink from "next/link";
import { useState, type FormEvent } from "react";

import { MAX_QUANTITY, useCart, type CartLine } from "@/lib/cart/cart";

export function AddToCart({ product, available }: { product: Omit<CartLine, "quantity">; available: number }) {
  const cart = useCart();
  const [added, setAdded] = useState<number | null>(null);
  const most = Math.min(MAX_QUANTITY, Math.max(1, available));

  function submitted(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const quantity = Number(new FormData(event.currentTarget).get("quantity"));
    if (!Number.isInteger(quantity) || quantity < 1) {
      return;
    }
    cart.add(product, quantity);
    setAdded(quantity);
  }

  return (
    <form onSubmit={submitted} aria-label="Add to cart">
      <Flex gap="3" align="end" wrap="wrap">
        <label>
          <Text as="div" size="2" mb="1">
            Quantity
          </Text>
          <TextField.Root name="quantity" type="number" min={1} max={most} defaultValue="1" required style={{ width: 90 }} />
        </label>
        <Button type="submit" disabled={available < 1}>
          Add to cart
        </Button>
        <Text size="2" role="status" aria-live="polite">
          {added !== null ? (
            <>
              Added {added} to your cart.{" "}
              <Link asChild>
                <NextLink href="/cart">View cart</NextLink>
              </Link>
            </>
          ) : null}
        </Text>
      </Flex>
    </form>
  );
}
