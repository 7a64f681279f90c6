// One product: its details, price and whether it can be ordered now, and adding it to the cart.
import { Badge, Card, Flex, Heading, Link, Text } from "@radix-ui/themes";
import NextLink from "next/link";
import { notFound } from "next/navigation";

import { execute } from "@/lib/kiroku/client";
import { formatMoney } from "@/lib/kiroku/money";
import { graphql } from "@/src/gql";

import { AddToCart } from "./add-to-cart";

const ProductQuery = graphql(`
  query ProductPage($id: ID!) {
    product(id: $id) {
      id
      name
      description
      price
      currency
      stock
      inStock
      category {
        id
        name
      }
    }
  }
`);

export default async function ProductPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { product } = await execute(ProductQuery, { id: decodeURIComponent(id) });
  if (product === null || product === undefined) {
    notFound();
  }
  return (
    <Card size="3">
      <Flex direction="column" gap="3">
        {product.category ? (
          <Link asChild size="2">
            <NextLink href={`/?category=${encodeURIComponent(product.category.id)}`}>{product.category.name}</NextLink>
          </Link>
        ) : null}
        <Heading as="h1" size="7">
          {product.name}
        </Heading>
        <Text size="5">{formatMoney(product.price, product.currency)}</Text>
        {product.inStock ? (
          <Badge color="green" style={{ alignSelf: "start" }}>
            {product.stock} in stock
          </Badge>
        ) : (
          <Badge color="orange" style={{ alignSelf: "start" }}>
            Out of stock
          </Badge>
        )}
        {product.description ? <Text as="p">{product.description}</Text> : null}
        <AddToCart
          product={{ productId: product.id, name: product.name, unitPrice: product.price, currency: product.currency }}
          available={product.inStock ? product.stock : 0}
        />
      </Flex>
    </Card>
  );
}
