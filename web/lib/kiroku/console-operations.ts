// The operations console's reads and repairs beside the catalogue: every order, the fulfilment sagas
// (counted, listed by status or stuck, one saga's timeline), an aggregate's events from the event store,
// dead letters with replay and discard, and how far each read model lags. All are admin-only fields.
import { graphql } from "@/src/gql";

/** The cheapest admin-only read: whether the API takes the signed-in user for an admin. */
export const ConsoleAccessQuery = graphql(`
  query ConsoleAccess {
    sagas(first: 1) {
      pageInfo {
        hasNextPage
      }
    }
  }
`);

export const AllOrdersQuery = graphql(`
  query ConsoleOrders($after: String, $status: String) {
    orders(first: 20, after: $after, status: $status) {
      edges {
        cursor
        node {
          id
          customerId
          status
          total
          currency
          createdAt
          cancelReason
          saga {
            status
            step
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

export const SagaStatsQuery = graphql(`
  query ConsoleSagaStats {
    sagaStats {
      total
      running
      compensating
      completed
      cancelled
      stuck
      cancelReasons(first: 20) {
        reason
        sagas
      }
    }
  }
`);

export const SagasQuery = graphql(`
  query ConsoleSagas($status: SagaStatus, $stuck: Boolean!, $after: String) {
    sagas(status: $status, stuck: $stuck, first: 20, after: $after) {
      edges {
        cursor
        node {
          orderId
          status
          step
          deadline
          failure
          version
          waiting {
            partner
            attempts
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

export const SagaTimelineFields = graphql(`
  fragment SagaTimelineFields on Saga {
    orderId
    correlationId
    status
    step
    deadline
    failure
    failureDetail
    version
    waiting {
      partner
      command
      attempts
      since
      lastAttemptAt
      nextAttemptAt
      reason
    }
    history {
      at
      event
      step
      detail
      causationId
      commands
    }
  }
`);

export const SagaTimelineQuery = graphql(`
  query ConsoleSagaTimeline($orderId: ID!) {
    saga(orderId: $orderId) {
      ...SagaTimelineFields
    }
  }
`);

// The same saga, pushed by the API at each change (useLive), until it has ended.
export const SagaLiveSubscription = graphql(`
  subscription ConsoleSagaLive($orderId: ID!) {
    saga(orderId: $orderId) {
      ...SagaTimelineFields
    }
  }
`);

// Which saga changed, pushed by the API as it happens: the saga monitor then reads its page again.
export const SagaChangesSubscription = graphql(`
  subscription ConsoleSagaChanges {
    sagaChanges {
      orderId
      status
      version
    }
  }
`);

// A conversation's waterfall: the spans the local cloud kept, or where Cloud Trace keeps them.
export const TraceQuery = graphql(`
  query ConsoleTrace($correlationId: ID!) {
    trace(correlationId: $correlationId) {
      correlationId
      kept
      url
      spans {
        spanId
        function
        name
        kind
        status
        offsetMs
        durationMs
        depth
        messageType
      }
    }
  }
`);

export const EventHistoryQuery = graphql(`
  query ConsoleEventHistory($aggregateType: String!, $aggregateId: ID!, $fromVersion: Int!) {
    eventHistory(aggregateType: $aggregateType, aggregateId: $aggregateId, fromVersion: $fromVersion, first: 50) {
      id
      type
      version
      occurredAt
      correlationId
      causationId
      actorUid
      actorRole
      payload
    }
  }
`);

/** How many events a page of an event history holds (the `first` of EventHistoryQuery). */
export const EVENT_PAGE_SIZE = 50;

/** The aggregate types eventHistory reads (its `aggregateType` argument). */
export const AGGREGATE_TYPES = ["Category", "FulfilmentSaga", "Order", "Payment", "Product", "Shipment"] as const;

export const DeadLettersQuery = graphql(`
  query ConsoleDeadLetters($function: String!) {
    deadLetters(function: $function, first: 100) {
      messageId
      publishTime
      type
      aggregateType
      aggregateId
      data
      deliveryAttempts
    }
  }
`);

/** The most dead letters DeadLettersQuery shows at once (its `first`). */
export const DEAD_LETTER_PAGE = 100;

export const ReplayDeadLettersMutation = graphql(`
  mutation ConsoleReplayDeadLetters($function: String!, $ids: [String!]) {
    replayDeadLetters(function: $function, ids: $ids) {
      function
      messageIds
      missing
      failed
    }
  }
`);

export const DiscardDeadLettersMutation = graphql(`
  mutation ConsoleDiscardDeadLetters($function: String!, $ids: [String!]!) {
    discardDeadLetters(function: $function, ids: $ids) {
      function
      messageIds
      missing
      failed
    }
  }
`);

export const ProjectionStatusQuery = graphql(`
  query ConsoleProjectionStatus {
    projectionStatus {
      model
      aggregateType
      events
      streams
      records
      behind
      lag
      lastEventAt
      lastAppliedPosition
      headPosition
    }
  }
`);

/** How many dead letters a function holds, up to DEAD_LETTER_PAGE. */
export const DeadLetterDepthQuery = graphql(`
  query ConsoleDeadLetterDepth($function: String!) {
    deadLetters(function: $function, first: 100) {
      messageId
    }
  }
`);

export const IntegrityReportQuery = graphql(`
  query ConsoleIntegrityReport {
    integrityReport {
      ok
      events
      streams
      problemCount
      problems(first: 20) {
        kind
        streamId
        detail
      }
    }
  }
`);
