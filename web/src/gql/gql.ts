/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Storefront($filter: ProductFilter, $first: Int, $after: String) {\n    categories {\n      id\n      name\n    }\n    productsConnection(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          inStock\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StorefrontDocument,
    "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      category {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ProductPageDocument,
};
const documents: Documents = {
    "\n  query Storefront($filter: ProductFilter, $first: Int, $after: String) {\n    categories {\n      id\n      name\n    }\n    productsConnection(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          inStock\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": types.StorefrontDocument,
    "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      category {\n        id\n        name\n      }\n    }\n  }\n": types.ProductPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Storefront($filter: ProductFilter, $first: Int, $after: String) {\n    categories {\n      id\n      name\n    }\n    productsConnection(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          inStock\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').StorefrontDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      category {\n        id\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').ProductPageDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
