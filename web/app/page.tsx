// The storefront: the catalogue by category, searched and filtered through the URL (a GET form, so every
// view is a link), paged with Relay cursors. A server component: it reads as the anonymous reader.
import { Badge, Box, Button, Card, Checkbox, Flex, Grid, Heading, Link, Text, TextField } from "@radix-ui/themes";
import NextLink from "next/link";

import { execute } from "@/lib/kiroku/client";
import { formatMoney } from "@/lib/kiroku/money";
import { graphql } from "@/src/gql";
import type { ProductFilter } from "@/src/gql/graphql";

const PAGE_SIZE = 9;

const StorefrontQuery = graphql(`
  query Storefront($filter: ProductFilter, $first: Int, $after: String) {
    categories {
      id
      name
    }
    productsConnection(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
          price
          currency
          inStock
          category {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        endCursor
      }
    }
  }
`);

type Search = Record<string, string | string[] | undefined>;

function one(search: Search, name: string): string | undefined {
  const value = search[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === "" ? undefined : first;
}

function filterOf(search: Search): ProductFilter {
  return {
    nameContains: one(search, "q"),
    categoryId: one(search, "category"),
    minPrice: one(search, "min"),
    maxPrice: one(search, "max"),
    inStock: one(search, "inStock") === "on" ? true : undefined,
  };
}

function hrefWith(search: Search, changes: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...search, ...changes })) {
    const shown = Array.isArray(value) ? value[0] : value;
    if (shown) {
      params.set(name, shown);
    }
  }
  const query = params.toString();
  return query ? `/?${query}` : "/";
}

export default async function Storefront({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  const data = await execute(StorefrontQuery, {
    filter: filterOf(search),
    first: PAGE_SIZE,
    after: one(search, "after"),
  });
  const { edges, pageInfo } = data.productsConnection;
  const category = one(search, "category");
  return (
    <Flex direction="column" gap="5">
      <Heading as="h1" size="7">
        Catalogue
      </Heading>
      <Flex gap="2" wrap="wrap" aria-label="Categories" role="navigation">
        <Button asChild variant={category ? "soft" : "solid"} size="1">
          <NextLink href={hrefWith(search, { category: undefined, after: undefined })}>All</NextLink>
        </Button>
        {data.categories.map((each) => (
          <Button key={each.id} asChild variant={category === each.id ? "solid" : "soft"} size="1">
            <NextLink href={hrefWith(search, { category: each.id, after: undefined })}>{each.name}</NextLink>
          </Button>
        ))}
      </Flex>
      <form method="get" action="/" role="search">
        {category ? <input type="hidden" name="category" value={category} /> : null}
        <Flex gap="3" align="end" wrap="wrap">
          <label>
            <Text as="div" size="2" mb="1">
              Name
            </Text>
            <TextField.Root name="q" defaultValue={one(search, "q")} placeholder="Search products" />
          </label>
          <label>
            <Text as="div" size="2" mb="1">
              Price from
            </Text>
            <TextField.Root name="min" defaultValue={one(search, "min")} inputMode="decimal" />
          </label>
          <label>
            <Text as="div" size="2" mb="1">
              to
            </Text>
            <TextField.Root name="max" defaultValue={one(search, "max")} inputMode="decimal" />
          </label>
          <Text as="label" size="2">
            <Flex gap="2" align="center">
              <Checkbox name="inStock" defaultChecked={one(search, "inStock") === "on"} /> In stock
            </Flex>
          </Text>
          <Button type="submit">Search</Button>
        </Flex>
      </form>
      {edges.length === 0 ? (
        <Text color="gray">No product matches.</Text>
      ) : (
        <Grid columns={{ initial: "1", sm: "2", md: "3" }} gap="4" asChild>
          <ul aria-label="Products" style={{ listStyle: "none", padding: 0, margin: 0 }}>
            {edges.map(({ node }) => (
              <li key={node.id}>
                <Card asChild>
                  <NextLink href={`/products/${encodeURIComponent(node.id)}`}>
                    <Flex direction="column" gap="1">
                      <Text weight="bold">{node.name}</Text>
                      <Text size="2" color="gray">
                        {node.category?.name}
                      </Text>
                      <Flex justify="between" align="center">
                        <Text>{formatMoney(node.price, node.currency)}</Text>
                        {node.inStock ? null : <Badge color="orange">Out of stock</Badge>}
                      </Flex>
                    </Flex>
                  </NextLink>
                </Card>
              </li>
            ))}
          </ul>
        </Grid>
      )}
      <Flex gap="3">
        {pageInfo.hasPreviousPage ? (
          <Link asChild>
            <NextLink href={hrefWith(search, { after: undefined })}>First page</NextLink>
          </Link>
        ) : null}
        {pageInfo.hasNextPage && pageInfo.endCursor ? (
          <Link asChild>
            <NextLink href={hrefWith(search, { after: pageInfo.endCursor })}>Next page</NextLink>
          </Link>
        ) : null}
      </Flex>
      <Box />
    </Flex>
  );
}
