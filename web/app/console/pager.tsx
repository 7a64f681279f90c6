// Forward paging with the API's cursors, the cursor in the URL (as the storefront pages): a first-page
// link once past it, a next-page link while more follow.
import { Flex, Link } from "@radix-ui/themes";
import NextLink from "next/link";

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  endCursor?: string | null;
}

/** `path` with these query parameters, the empty ones left out. */
export function hrefOf(path: string, params: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value) {
      query.set(name, value);
    }
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export function Pager({
  pageInfo,
  path,
  params = {},
}: {
  pageInfo: PageInfo | undefined;
  path: string;
  params?: Record<string, string | null | undefined>;
}) {
  return (
    <Flex gap="3">
      {pageInfo?.hasPreviousPage ? (
        <Link asChild>
          <NextLink href={hrefOf(path, params)}>First page</NextLink>
        </Link>
      ) : null}
      {pageInfo?.hasNextPage && pageInfo.endCursor ? (
        <Link asChild>
          <NextLink href={hrefOf(path, { ...params, after: pageInfo.endCursor })}>Next page</NextLink>
        </Link>
      ) : null}
    </Flex>
  );
}
