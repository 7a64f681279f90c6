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
    "\n  mutation PlaceOrder($input: PlaceOrderInput!, $commandId: ID!) {\n    placeOrder(input: $input, commandId: $commandId, wait: false) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  query CheckoutCommand($id: ID!) {\n    commandStatus(id: $id) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": typeof types.CheckoutCommandDocument,
    "\n  query OrderProgress($id: ID!) {\n    order(id: $id) {\n      id\n      status\n      total\n      currency\n      version\n      createdAt\n      updatedAt\n      lines {\n        productId\n        quantity\n        unitPrice\n      }\n      statusHistory {\n        status\n        at\n        reason\n      }\n      cancelReason\n      cancelDetail\n      statusDetail\n      waiting {\n        partner\n        attempts\n        nextAttemptAt\n      }\n      saga {\n        status\n        step\n        failure\n        failureDetail\n        version\n      }\n    }\n  }\n": typeof types.OrderProgressDocument,
    "\n  query OrderLineProduct($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      price\n      currency\n    }\n  }\n": typeof types.OrderLineProductDocument,
    "\n  query MyOrders($after: String) {\n    orders(first: 10, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          total\n          currency\n          createdAt\n          cancelReason\n          lines {\n            quantity\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MyOrdersDocument,
    "\n  mutation CancelOrder($id: ID!, $commandId: ID!) {\n    cancelOrder(id: $id, commandId: $commandId, reason: \"cancelled by the customer\") {\n      commandId\n      status\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": typeof types.CancelOrderDocument,
};
const documents: Documents = {
    "\n  query Storefront($filter: ProductFilter, $first: Int, $after: String) {\n    categories {\n      id\n      name\n    }\n    productsConnection(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          inStock\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": types.StorefrontDocument,
    "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      category {\n        id\n        name\n      }\n    }\n  }\n": types.ProductPageDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!, $commandId: ID!) {\n    placeOrder(input: $input, commandId: $commandId, wait: false) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": types.PlaceOrderDocument,
    "\n  query CheckoutCommand($id: ID!) {\n    commandStatus(id: $id) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": types.CheckoutCommandDocument,
    "\n  query OrderProgress($id: ID!) {\n    order(id: $id) {\n      id\n      status\n      total\n      currency\n      version\n      createdAt\n      updatedAt\n      lines {\n        productId\n        quantity\n        unitPrice\n      }\n      statusHistory {\n        status\n        at\n        reason\n      }\n      cancelReason\n      cancelDetail\n      statusDetail\n      waiting {\n        partner\n        attempts\n        nextAttemptAt\n      }\n      saga {\n        status\n        step\n        failure\n        failureDetail\n        version\n      }\n    }\n  }\n": types.OrderProgressDocument,
    "\n  query OrderLineProduct($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      price\n      currency\n    }\n  }\n": types.OrderLineProductDocument,
    "\n  query MyOrders($after: String) {\n    orders(first: 10, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          total\n          currency\n          createdAt\n          cancelReason\n          lines {\n            quantity\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": types.MyOrdersDocument,
    "\n  mutation CancelOrder($id: ID!, $commandId: ID!) {\n    cancelOrder(id: $id, commandId: $commandId, reason: \"cancelled by the customer\") {\n      commandId\n      status\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": types.CancelOrderDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Storefront($filter: ProductFilter, $first: Int, $after: String) {\n    categories {\n      id\n      name\n    }\n    productsConnection(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          inStock\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').StorefrontDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      category {\n        id\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').ProductPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaceOrder($input: PlaceOrderInput!, $commandId: ID!) {\n    placeOrder(input: $input, commandId: $commandId, wait: false) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n"): typeof import('./graphql').PlaceOrderDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CheckoutCommand($id: ID!) {\n    commandStatus(id: $id) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n"): typeof import('./graphql').CheckoutCommandDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderProgress($id: ID!) {\n    order(id: $id) {\n      id\n      status\n      total\n      currency\n      version\n      createdAt\n      updatedAt\n      lines {\n        productId\n        quantity\n        unitPrice\n      }\n      statusHistory {\n        status\n        at\n        reason\n      }\n      cancelReason\n      cancelDetail\n      statusDetail\n      waiting {\n        partner\n        attempts\n        nextAttemptAt\n      }\n      saga {\n        status\n        step\n        failure\n        failureDetail\n        version\n      }\n    }\n  }\n"): typeof import('./graphql').OrderProgressDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderLineProduct($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      price\n      currency\n    }\n  }\n"): typeof import('./graphql').OrderLineProductDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrders($after: String) {\n    orders(first: 10, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          total\n          currency\n          createdAt\n          cancelReason\n          lines {\n            quantity\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').MyOrdersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelOrder($id: ID!, $commandId: ID!) {\n    cancelOrder(id: $id, commandId: $commandId, reason: \"cancelled by the customer\") {\n      commandId\n      status\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n"): typeof import('./graphql').CancelOrderDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
