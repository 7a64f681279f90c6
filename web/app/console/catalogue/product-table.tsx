"use client";
// A page of the catalogue as an admin sees it: each product's price, stock and version, a link to edit it.
import { Badge, Link, Spinner, Table, VisuallyHidden } from "@radix-ui/themes";
import NextLink from "next/link";

import { ConsoleProductsQuery } from "@/lib/kiroku/console-catalogue";
import { useConsoleQuery } from "@/lib/kiroku/console-client";
import { formatMoney } from "@/lib/kiroku/money";

import { Pager } from "../pager";
import { Problem } from "../problem";

export function ProductTable({ after }: { after: string | null }) {
  const { data, error } = useConsoleQuery(ConsoleProductsQuery, { after });
  if (data === null) {
    return error ? <Problem error={error} /> : <Spinner size="3" />;
  }
  const { edges, pageInfo } = data.productsConnection;
  return (
    <>
      <Table.Root variant="surface">
        <VisuallyHidden asChild>
          <caption>Products</caption>
        </VisuallyHidden>
        <Table.Header>
          <Table.Row>
            <Table.ColumnHeaderCell>Product</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell>Category</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Price</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Stock</Table.ColumnHeaderCell>
            <Table.ColumnHeaderCell justify="end">Version</Table.ColumnHeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {edges.map(({ node }) => (
            <Table.Row key={node.id} data-product-id={node.id}>
              <Table.RowHeaderCell>
                <Link asChild>
                  <NextLink href={`/console/catalogue/${encodeURIComponent(node.id)}`}>{node.name}</NextLink>
                </Link>
              </Table.RowHeaderCell>
              <Table.Cell>{node.category?.name ?? "—"}</Table.Cell>
              <Table.Cell justify="end">{formatMoney(node.price, node.currency)}</Table.Cell>
              <Table.Cell justify="end">
                {node.inStock ? node.stock : <Badge color="orange">{node.stock}</Badge>}
              </Table.Cell>
              <Table.Cell justify="end">{node.version}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table.Root>
      <Pager pageInfo={pageInfo} path="/console/catalogue" />
    </>
  );
}
