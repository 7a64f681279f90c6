"use client";
// The cart: its lines with their quantities (changed or removed here), their exact totals, and the way
// to checkout. The totals are the cart's prices; the order's own total, at the catalogue's prices when it
// is placed, is the one the order page shows.
import { Button, Callout, Card, Flex, Heading, IconButton, Link, Table, Text, TextField, VisuallyHidden } from "@radix-ui/themes";
import NextLink from "next/link";
import { useState } from "react";

import { lineTotal, MAX_QUANTITY, useCart } from "@/lib/cart/cart";
import { formatMoney } from "@/lib/kiroku/money";
import { useSession } from "@/lib/session/session";

/** A line's quantity: typed freely (even empty for a moment), applied whenever it is a whole number. */
function QuantityField({ quantity, label, onChange }: { quantity: number; label: string; onChange(quantity: number): void }) {
  const [text, setText] = useState<string | null>(null);
  return (
    <TextField.Root
      type="number"
      min={1}
      max={MAX_QUANTITY}
      value={text ?? String(quantity)}
      aria-label={label}
      onChange={(event) => {
        const typed = event.currentTarget.value;
        setText(typed);
        const wanted = Number(typed);
        if (typed !== "" && Number.isInteger(wanted) && wanted >= 1) {
          onChange(wanted);
        }
      }}
      onBlur={() => setText(null)}
      style={{ width: 80 }}
    />
  );
}

export default function CartPage() {
  const cart = useCart();
  const session = useSession();
  if (!cart.ready) {
    return null;
  }
  if (cart.lines.length === 0) {
    return (
      <Flex direction="column" gap="3">
        <Heading as="h1" size="7">
          Your cart
        </Heading>
        <Text>Your cart is empty.</Text>
        <Link asChild>
          <NextLink href="/">Browse the catalogue</NextLink>
        </Link>
      </Flex>
    );
  }
  const mixed = cart.totals.length > 1;
  return (
    <Flex direction="column" gap="4">
      <Heading as="h1" size="7">
        Your cart
      </Heading>
      <Table.Root variant="surface">
        <VisuallyHidden asChild>
          <caption>Your cart</caption>
        </VisuallyHidden>
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Item</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Price</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Quantity</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Total</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell />
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {cart.lines.map((line) => (
            <Table.Row key={line.productId} align="center">
              <Table.RowHeaderCell>
                <Link asChild>
                  <NextLink href={`/products/${encodeURIComponent(line.productId)}`}>{line.name}</NextLink>
                </Link>
              </Table.RowHeaderCell>
              <Table.Cell>{formatMoney(line.unitPrice, line.currency)}</Table.Cell>
              <Table.Cell>
                <QuantityField
                  quantity={line.quantity}
                  label={`Quantity of ${line.name}`}
                  onChange={(quantity) => cart.setQuantity(line.productId, quantity)}
                />
              </Table.Cell>
              <Table.Cell justify="end">{formatMoney(lineTotal(line), line.currency)}</Table.Cell>
              <Table.Cell justify="end">
                <IconButton
                  variant="ghost"
                  color="gray"
                  aria-label={`Remove ${line.name}`}
                  onClick={() => cart.remove(line.productId)}
                >
                  ✕
                </IconButton>
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      <Card style={{ alignSelf: "end", minWidth: 280 }}>
        <Flex direction="column" gap="2">
          {cart.totals.map((total) => (
            <Flex key={total.currency} justify="between" gap="4">
              <Text weight="bold">Total</Text>
              <Text weight="bold" data-testid="cart-total">
                {formatMoney(total.amount, total.currency)}
              </Text>
            </Flex>
          ))}
          <Text size="1" color="gray">
            Prices are confirmed when you place the order.
          </Text>
          {mixed ? (
            <Callout.Root color="orange" role="alert">
              <Callout.Text>Items priced in different currencies must be ordered separately.</Callout.Text>
            </Callout.Root>
          ) : null}
          {mixed ? null : session.ready && session.user === null ? (
            <Button asChild>
              <NextLink href="/sign-in?next=/checkout">Sign in to check out</NextLink>
            </Button>
          ) : (
            <Button asChild>
              <NextLink href="/checkout">Check out</NextLink>
            </Button>
          )}
        </Flex>
      </Card>
    </Flex>
  );
}
