"use client";
// A product as the editor loaded it, and its forms. Each change is sent with the version loaded; once
// accepted, the product is read again until the read model shows that version (it lags the event store),
// and the forms start over from it.
import { Badge, Card, Flex, Grid, Heading, Link, Spinner, Text } from "@radix-ui/themes";
import NextLink from "next/link";
import { useCallback } from "react";

import { ConsoleProductQuery } from "@/lib/kiroku/console-catalogue";
import { readBack, useConsoleQuery } from "@/lib/kiroku/console-client";
import { formatMoney } from "@/lib/kiroku/money";
import type { ConsoleProductQuery as ProductResult } from "@/src/gql/graphql";

import { Instant } from "../../instant";
import { Problem } from "../../problem";
import { DeleteProduct } from "./delete-product";
import { DetailsForm } from "./details-form";
import { PriceForm } from "./price-form";
import { AdjustStockForm, RestockForm } from "./stock-forms";

export type EditedProduct = NonNullable<ProductResult["product"]>;

export function ProductEditor({ id }: { id: string }) {
  const { data, error, reload } = useConsoleQuery(ConsoleProductQuery, { id });
  const changed = useCallback(
    (version: number | null | undefined) =>
      // A deleted product reads as none: that is its latest version too.
      void readBack(reload, (read) => !version || !read?.product || read.product.version >= version),
    [reload],
  );
  if (data === null) {
    return error ? <Problem error={error} /> : <Spinner size="3" />;
  }
  const product = data.product;
  if (!product) {
    return <Text>There is no product {id} (any more).</Text>;
  }
  const latest = () => void reload();
  return (
    <Flex direction="column" gap="4">
      <Flex justify="between" align="center" wrap="wrap" gap="3">
        <Heading as="h2" size="6">
          {product.name}
        </Heading>
        <Flex gap="3" align="center">
          <Badge data-testid="product-version">version {product.version}</Badge>
          <Link asChild size="2">
            <NextLink href={`/console/events?type=Product&id=${encodeURIComponent(product.id)}`}>Its events</NextLink>
          </Link>
          <Link asChild size="2">
            <NextLink href={`/products/${encodeURIComponent(product.id)}`}>In the shop</NextLink>
          </Link>
        </Flex>
      </Flex>
      <Text size="2" color="gray">
        {product.id} · {product.category?.name ?? "no category"} ·{" "}
        <span data-testid="product-price">{formatMoney(product.price, product.currency)}</span> ·{" "}
        <span data-testid="product-stock">{product.stock} in stock</span> · changed <Instant at={product.updatedAt} />
      </Text>
      <Problem error={error} />
      {/* Keyed by version: a form starts over from each version read, and sends that version. */}
      <Grid columns={{ initial: "1", md: "2" }} gap="4" key={product.version}>
        <Card>
          <DetailsForm product={product} onChanged={changed} onReload={latest} />
        </Card>
        <Flex direction="column" gap="4">
          <Card>
            <PriceForm product={product} onChanged={changed} onReload={latest} />
          </Card>
          <Card>
            <RestockForm product={product} onChanged={changed} />
          </Card>
          <Card>
            <AdjustStockForm product={product} onChanged={changed} />
          </Card>
          <Card>
            <DeleteProduct product={product} onChanged={changed} onReload={latest} />
          </Card>
        </Flex>
      </Grid>
    </Flex>
  );
}
