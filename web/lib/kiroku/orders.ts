// The order operations the browser sends: placing (a client-chosen commandId), following a command and
// an order, listing the writer's orders, cancelling. Typed documents generated from schema.graphql.
import { graphql } from "@/src/gql";

export const PlaceOrderMutation = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!, $commandId: ID!) {
    placeOrder(input: $input, commandId: $commandId, wait: false) {
      commandId
      status
      aggregateId
      error {
        code
        message
        field
      }
    }
  }
`);

export const CommandStatusQuery = graphql(`
  query CheckoutCommand($id: ID!) {
    commandStatus(id: $id) {
      commandId
      status
      aggregateId
      error {
        code
        message
        field
      }
    }
  }
`);

export const OrderProgressFields = graphql(`
  fragment OrderProgressFields on Order {
    id
    status
    total
    currency
    version
    createdAt
    updatedAt
    lines {
      productId
      quantity
      unitPrice
    }
    statusHistory {
      status
      at
      reason
    }
    cancelReason
    cancelDetail
    statusDetail
    waiting {
      partner
      attempts
      nextAttemptAt
    }
    saga {
      status
      step
      failure
      failureDetail
      version
    }
  }
`);

export const OrderProgressQuery = graphql(`
  query OrderProgress($id: ID!) {
    order(id: $id) {
      ...OrderProgressFields
    }
  }
`);

// The same order, pushed by the API at each change (useLive), until it is completed or cancelled.
export const OrderLiveSubscription = graphql(`
  subscription OrderLive($id: ID!) {
    order(id: $id) {
      ...OrderProgressFields
    }
  }
`);

export const ProductNameQuery = graphql(`
  query OrderLineProduct($id: ID!) {
    product(id: $id) {
      id
      name
      price
      currency
    }
  }
`);

// The page size is written in the document: with a variable the API prices the query at the largest page
// (100 orders of 100 lines each) and refuses it as too complex.
export const MyOrdersQuery = graphql(`
  query MyOrders($after: String) {
    orders(first: 10, after: $after) {
      edges {
        cursor
        node {
          id
          status
          total
          currency
          createdAt
          cancelReason
          lines {
            quantity
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

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($id: ID!, $commandId: ID!) {
    cancelOrder(id: $id, commandId: $commandId, reason: "cancelled by the customer") {
      commandId
      status
      error {
        code
        message
        field
      }
    }
  }
`);

/** The statuses an order can still be cancelled in (cancelOrder answers ORDER_NOT_CANCELLABLE after). */
export const CANCELLABLE = new Set(["PLACED", "RESERVED", "PAID"]);

/** Statuses after which nothing more happens to an order. */
export const SETTLED = new Set(["COMPLETED", "CANCELLED"]);
