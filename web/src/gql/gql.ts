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
    "\n  query ConsoleProducts($after: String) {\n    productsConnection(first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          stock\n          inStock\n          version\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ConsoleProductsDocument,
    "\n  query ConsoleCategories {\n    categories {\n      id\n      name\n      description\n      version\n    }\n  }\n": typeof types.ConsoleCategoriesDocument,
    "\n  query ConsoleProduct($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      version\n      updatedAt\n      category {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ConsoleProductDocument,
    "\n  fragment ConsoleCommandResult on CommandResult {\n    commandId\n    status\n    aggregateId\n    version\n    error {\n      code\n      message\n      field\n    }\n  }\n": typeof types.ConsoleCommandResultFragmentDoc,
    "\n  mutation ConsoleCreateCategory($input: CreateCategoryInput!, $commandId: ID!) {\n    createCategory(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleCreateCategoryDocument,
    "\n  mutation ConsoleCreateProduct($input: CreateProductInput!, $commandId: ID!) {\n    createProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleCreateProductDocument,
    "\n  mutation ConsoleUpdateProduct($input: UpdateProductInput!, $commandId: ID!) {\n    updateProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleUpdateProductDocument,
    "\n  mutation ConsoleChangePrice($input: ChangePriceInput!, $commandId: ID!) {\n    changePrice(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleChangePriceDocument,
    "\n  mutation ConsoleRestockProduct($input: RestockProductInput!, $commandId: ID!) {\n    restockProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleRestockProductDocument,
    "\n  mutation ConsoleDeleteProduct($id: ID!, $expectedVersion: Int!, $commandId: ID!) {\n    deleteProduct(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleDeleteProductDocument,
    "\n  mutation ConsoleDeleteCategory($id: ID!, $expectedVersion: Int!, $commandId: ID!) {\n    deleteCategory(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleDeleteCategoryDocument,
    "\n  mutation ConsoleUpdateCategory($input: UpdateCategoryInput!, $commandId: ID!) {\n    updateCategory(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleUpdateCategoryDocument,
    "\n  mutation ConsoleAdjustStock($input: AdjustStockInput!, $commandId: ID!) {\n    adjustStock(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": typeof types.ConsoleAdjustStockDocument,
    "\n  query ConsoleAccess {\n    sagas(first: 1) {\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": typeof types.ConsoleAccessDocument,
    "\n  query ConsoleOrders($after: String, $status: String) {\n    orders(first: 20, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          id\n          customerId\n          status\n          total\n          currency\n          createdAt\n          cancelReason\n          saga {\n            status\n            step\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ConsoleOrdersDocument,
    "\n  query ConsoleSagaStats {\n    sagaStats {\n      total\n      running\n      compensating\n      completed\n      cancelled\n      stuck\n      cancelReasons(first: 20) {\n        reason\n        sagas\n      }\n    }\n  }\n": typeof types.ConsoleSagaStatsDocument,
    "\n  query ConsoleSagas($status: SagaStatus, $stuck: Boolean!, $after: String) {\n    sagas(status: $status, stuck: $stuck, first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          orderId\n          status\n          step\n          deadline\n          failure\n          version\n          waiting {\n            partner\n            attempts\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ConsoleSagasDocument,
    "\n  fragment SagaTimelineFields on Saga {\n    orderId\n    correlationId\n    status\n    step\n    deadline\n    failure\n    failureDetail\n    version\n    waiting {\n      partner\n      command\n      attempts\n      since\n      lastAttemptAt\n      nextAttemptAt\n      reason\n    }\n    history {\n      at\n      event\n      step\n      detail\n      causationId\n      commands\n    }\n  }\n": typeof types.SagaTimelineFieldsFragmentDoc,
    "\n  query ConsoleSagaTimeline($orderId: ID!) {\n    saga(orderId: $orderId) {\n      ...SagaTimelineFields\n    }\n  }\n": typeof types.ConsoleSagaTimelineDocument,
    "\n  subscription ConsoleSagaLive($orderId: ID!) {\n    saga(orderId: $orderId) {\n      ...SagaTimelineFields\n    }\n  }\n": typeof types.ConsoleSagaLiveDocument,
    "\n  subscription ConsoleSagaChanges {\n    sagaChanges {\n      orderId\n      status\n      version\n    }\n  }\n": typeof types.ConsoleSagaChangesDocument,
    "\n  query ConsoleTrace($correlationId: ID!) {\n    trace(correlationId: $correlationId) {\n      correlationId\n      kept\n      url\n      spans {\n        spanId\n        function\n        name\n        kind\n        status\n        offsetMs\n        durationMs\n        depth\n        messageType\n      }\n    }\n  }\n": typeof types.ConsoleTraceDocument,
    "\n  query ConsoleEventHistory($aggregateType: String!, $aggregateId: ID!, $fromVersion: Int!) {\n    eventHistory(aggregateType: $aggregateType, aggregateId: $aggregateId, fromVersion: $fromVersion, first: 50) {\n      id\n      type\n      version\n      occurredAt\n      correlationId\n      causationId\n      actorUid\n      actorRole\n      payload\n    }\n  }\n": typeof types.ConsoleEventHistoryDocument,
    "\n  query ConsoleDeadLetters($function: String!) {\n    deadLetters(function: $function, first: 100) {\n      messageId\n      publishTime\n      type\n      aggregateType\n      aggregateId\n      data\n      deliveryAttempts\n    }\n  }\n": typeof types.ConsoleDeadLettersDocument,
    "\n  mutation ConsoleReplayDeadLetters($function: String!, $ids: [String!]) {\n    replayDeadLetters(function: $function, ids: $ids) {\n      function\n      messageIds\n      missing\n      failed\n    }\n  }\n": typeof types.ConsoleReplayDeadLettersDocument,
    "\n  mutation ConsoleDiscardDeadLetters($function: String!, $ids: [String!]!) {\n    discardDeadLetters(function: $function, ids: $ids) {\n      function\n      messageIds\n      missing\n      failed\n    }\n  }\n": typeof types.ConsoleDiscardDeadLettersDocument,
    "\n  query ConsoleProjectionStatus {\n    projectionStatus {\n      model\n      aggregateType\n      events\n      streams\n      records\n      behind\n      lag\n      lastEventAt\n      lastAppliedPosition\n      headPosition\n    }\n  }\n": typeof types.ConsoleProjectionStatusDocument,
    "\n  query ConsoleDeadLetterDepth($function: String!) {\n    deadLetters(function: $function, first: 100) {\n      messageId\n    }\n  }\n": typeof types.ConsoleDeadLetterDepthDocument,
    "\n  query ConsoleIntegrityReport {\n    integrityReport {\n      ok\n      events\n      streams\n      problemCount\n      problems(first: 20) {\n        kind\n        streamId\n        detail\n      }\n    }\n  }\n": typeof types.ConsoleIntegrityReportDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!, $commandId: ID!) {\n    placeOrder(input: $input, commandId: $commandId, wait: false) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  query CheckoutCommand($id: ID!) {\n    commandStatus(id: $id) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": typeof types.CheckoutCommandDocument,
    "\n  fragment OrderProgressFields on Order {\n    id\n    status\n    total\n    currency\n    version\n    createdAt\n    updatedAt\n    lines {\n      productId\n      quantity\n      unitPrice\n    }\n    statusHistory {\n      status\n      at\n      reason\n    }\n    cancelReason\n    cancelDetail\n    statusDetail\n    waiting {\n      partner\n      attempts\n      nextAttemptAt\n    }\n    saga {\n      status\n      step\n      failure\n      failureDetail\n      version\n    }\n  }\n": typeof types.OrderProgressFieldsFragmentDoc,
    "\n  query OrderProgress($id: ID!) {\n    order(id: $id) {\n      ...OrderProgressFields\n    }\n  }\n": typeof types.OrderProgressDocument,
    "\n  subscription OrderLive($id: ID!) {\n    order(id: $id) {\n      ...OrderProgressFields\n    }\n  }\n": typeof types.OrderLiveDocument,
    "\n  query OrderLineProduct($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      price\n      currency\n    }\n  }\n": typeof types.OrderLineProductDocument,
    "\n  query MyOrders($after: String) {\n    orders(first: 10, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          status\n          total\n          currency\n          createdAt\n          cancelReason\n          lines {\n            quantity\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MyOrdersDocument,
    "\n  mutation CancelOrder($id: ID!, $commandId: ID!) {\n    cancelOrder(id: $id, commandId: $commandId, reason: \"cancelled by the customer\") {\n      commandId\n      status\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": typeof types.CancelOrderDocument,
};
const documents: Documents = {
    "\n  query Storefront($filter: ProductFilter, $first: Int, $after: String) {\n    categories {\n      id\n      name\n    }\n    productsConnection(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          inStock\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": types.StorefrontDocument,
    "\n  query ProductPage($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      category {\n        id\n        name\n      }\n    }\n  }\n": types.ProductPageDocument,
    "\n  query ConsoleProducts($after: String) {\n    productsConnection(first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          stock\n          inStock\n          version\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": types.ConsoleProductsDocument,
    "\n  query ConsoleCategories {\n    categories {\n      id\n      name\n      description\n      version\n    }\n  }\n": types.ConsoleCategoriesDocument,
    "\n  query ConsoleProduct($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      version\n      updatedAt\n      category {\n        id\n        name\n      }\n    }\n  }\n": types.ConsoleProductDocument,
    "\n  fragment ConsoleCommandResult on CommandResult {\n    commandId\n    status\n    aggregateId\n    version\n    error {\n      code\n      message\n      field\n    }\n  }\n": types.ConsoleCommandResultFragmentDoc,
    "\n  mutation ConsoleCreateCategory($input: CreateCategoryInput!, $commandId: ID!) {\n    createCategory(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleCreateCategoryDocument,
    "\n  mutation ConsoleCreateProduct($input: CreateProductInput!, $commandId: ID!) {\n    createProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleCreateProductDocument,
    "\n  mutation ConsoleUpdateProduct($input: UpdateProductInput!, $commandId: ID!) {\n    updateProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleUpdateProductDocument,
    "\n  mutation ConsoleChangePrice($input: ChangePriceInput!, $commandId: ID!) {\n    changePrice(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleChangePriceDocument,
    "\n  mutation ConsoleRestockProduct($input: RestockProductInput!, $commandId: ID!) {\n    restockProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleRestockProductDocument,
    "\n  mutation ConsoleDeleteProduct($id: ID!, $expectedVersion: Int!, $commandId: ID!) {\n    deleteProduct(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleDeleteProductDocument,
    "\n  mutation ConsoleDeleteCategory($id: ID!, $expectedVersion: Int!, $commandId: ID!) {\n    deleteCategory(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleDeleteCategoryDocument,
    "\n  mutation ConsoleUpdateCategory($input: UpdateCategoryInput!, $commandId: ID!) {\n    updateCategory(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleUpdateCategoryDocument,
    "\n  mutation ConsoleAdjustStock($input: AdjustStockInput!, $commandId: ID!) {\n    adjustStock(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n": types.ConsoleAdjustStockDocument,
    "\n  query ConsoleAccess {\n    sagas(first: 1) {\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": types.ConsoleAccessDocument,
    "\n  query ConsoleOrders($after: String, $status: String) {\n    orders(first: 20, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          id\n          customerId\n          status\n          total\n          currency\n          createdAt\n          cancelReason\n          saga {\n            status\n            step\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": types.ConsoleOrdersDocument,
    "\n  query ConsoleSagaStats {\n    sagaStats {\n      total\n      running\n      compensating\n      completed\n      cancelled\n      stuck\n      cancelReasons(first: 20) {\n        reason\n        sagas\n      }\n    }\n  }\n": types.ConsoleSagaStatsDocument,
    "\n  query ConsoleSagas($status: SagaStatus, $stuck: Boolean!, $after: String) {\n    sagas(status: $status, stuck: $stuck, first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          orderId\n          status\n          step\n          deadline\n          failure\n          version\n          waiting {\n            partner\n            attempts\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n": types.ConsoleSagasDocument,
    "\n  fragment SagaTimelineFields on Saga {\n    orderId\n    correlationId\n    status\n    step\n    deadline\n    failure\n    failureDetail\n    version\n    waiting {\n      partner\n      command\n      attempts\n      since\n      lastAttemptAt\n      nextAttemptAt\n      reason\n    }\n    history {\n      at\n      event\n      step\n      detail\n      causationId\n      commands\n    }\n  }\n": types.SagaTimelineFieldsFragmentDoc,
    "\n  query ConsoleSagaTimeline($orderId: ID!) {\n    saga(orderId: $orderId) {\n      ...SagaTimelineFields\n    }\n  }\n": types.ConsoleSagaTimelineDocument,
    "\n  subscription ConsoleSagaLive($orderId: ID!) {\n    saga(orderId: $orderId) {\n      ...SagaTimelineFields\n    }\n  }\n": types.ConsoleSagaLiveDocument,
    "\n  subscription ConsoleSagaChanges {\n    sagaChanges {\n      orderId\n      status\n      version\n    }\n  }\n": types.ConsoleSagaChangesDocument,
    "\n  query ConsoleTrace($correlationId: ID!) {\n    trace(correlationId: $correlationId) {\n      correlationId\n      kept\n      url\n      spans {\n        spanId\n        function\n        name\n        kind\n        status\n        offsetMs\n        durationMs\n        depth\n        messageType\n      }\n    }\n  }\n": types.ConsoleTraceDocument,
    "\n  query ConsoleEventHistory($aggregateType: String!, $aggregateId: ID!, $fromVersion: Int!) {\n    eventHistory(aggregateType: $aggregateType, aggregateId: $aggregateId, fromVersion: $fromVersion, first: 50) {\n      id\n      type\n      version\n      occurredAt\n      correlationId\n      causationId\n      actorUid\n      actorRole\n      payload\n    }\n  }\n": types.ConsoleEventHistoryDocument,
    "\n  query ConsoleDeadLetters($function: String!) {\n    deadLetters(function: $function, first: 100) {\n      messageId\n      publishTime\n      type\n      aggregateType\n      aggregateId\n      data\n      deliveryAttempts\n    }\n  }\n": types.ConsoleDeadLettersDocument,
    "\n  mutation ConsoleReplayDeadLetters($function: String!, $ids: [String!]) {\n    replayDeadLetters(function: $function, ids: $ids) {\n      function\n      messageIds\n      missing\n      failed\n    }\n  }\n": types.ConsoleReplayDeadLettersDocument,
    "\n  mutation ConsoleDiscardDeadLetters($function: String!, $ids: [String!]!) {\n    discardDeadLetters(function: $function, ids: $ids) {\n      function\n      messageIds\n      missing\n      failed\n    }\n  }\n": types.ConsoleDiscardDeadLettersDocument,
    "\n  query ConsoleProjectionStatus {\n    projectionStatus {\n      model\n      aggregateType\n      events\n      streams\n      records\n      behind\n      lag\n      lastEventAt\n      lastAppliedPosition\n      headPosition\n    }\n  }\n": types.ConsoleProjectionStatusDocument,
    "\n  query ConsoleDeadLetterDepth($function: String!) {\n    deadLetters(function: $function, first: 100) {\n      messageId\n    }\n  }\n": types.ConsoleDeadLetterDepthDocument,
    "\n  query ConsoleIntegrityReport {\n    integrityReport {\n      ok\n      events\n      streams\n      problemCount\n      problems(first: 20) {\n        kind\n        streamId\n        detail\n      }\n    }\n  }\n": types.ConsoleIntegrityReportDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!, $commandId: ID!) {\n    placeOrder(input: $input, commandId: $commandId, wait: false) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": types.PlaceOrderDocument,
    "\n  query CheckoutCommand($id: ID!) {\n    commandStatus(id: $id) {\n      commandId\n      status\n      aggregateId\n      error {\n        code\n        message\n        field\n      }\n    }\n  }\n": types.CheckoutCommandDocument,
    "\n  fragment OrderProgressFields on Order {\n    id\n    status\n    total\n    currency\n    version\n    createdAt\n    updatedAt\n    lines {\n      productId\n      quantity\n      unitPrice\n    }\n    statusHistory {\n      status\n      at\n      reason\n    }\n    cancelReason\n    cancelDetail\n    statusDetail\n    waiting {\n      partner\n      attempts\n      nextAttemptAt\n    }\n    saga {\n      status\n      step\n      failure\n      failureDetail\n      version\n    }\n  }\n": types.OrderProgressFieldsFragmentDoc,
    "\n  query OrderProgress($id: ID!) {\n    order(id: $id) {\n      ...OrderProgressFields\n    }\n  }\n": types.OrderProgressDocument,
    "\n  subscription OrderLive($id: ID!) {\n    order(id: $id) {\n      ...OrderProgressFields\n    }\n  }\n": types.OrderLiveDocument,
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
export function graphql(source: "\n  query ConsoleProducts($after: String) {\n    productsConnection(first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          name\n          price\n          currency\n          stock\n          inStock\n          version\n          category {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleProductsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleCategories {\n    categories {\n      id\n      name\n      description\n      version\n    }\n  }\n"): typeof import('./graphql').ConsoleCategoriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleProduct($id: ID!) {\n    product(id: $id) {\n      id\n      name\n      description\n      price\n      currency\n      stock\n      inStock\n      version\n      updatedAt\n      category {\n        id\n        name\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleProductDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleCommandResult on CommandResult {\n    commandId\n    status\n    aggregateId\n    version\n    error {\n      code\n      message\n      field\n    }\n  }\n"): typeof import('./graphql').ConsoleCommandResultFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateCategory($input: CreateCategoryInput!, $commandId: ID!) {\n    createCategory(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleCreateCategoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateProduct($input: CreateProductInput!, $commandId: ID!) {\n    createProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleCreateProductDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleUpdateProduct($input: UpdateProductInput!, $commandId: ID!) {\n    updateProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleUpdateProductDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleChangePrice($input: ChangePriceInput!, $commandId: ID!) {\n    changePrice(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleChangePriceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRestockProduct($input: RestockProductInput!, $commandId: ID!) {\n    restockProduct(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleRestockProductDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDeleteProduct($id: ID!, $expectedVersion: Int!, $commandId: ID!) {\n    deleteProduct(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleDeleteProductDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDeleteCategory($id: ID!, $expectedVersion: Int!, $commandId: ID!) {\n    deleteCategory(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleDeleteCategoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleUpdateCategory($input: UpdateCategoryInput!, $commandId: ID!) {\n    updateCategory(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleUpdateCategoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleAdjustStock($input: AdjustStockInput!, $commandId: ID!) {\n    adjustStock(input: $input, commandId: $commandId) {\n      ...ConsoleCommandResult\n    }\n  }\n"): typeof import('./graphql').ConsoleAdjustStockDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleAccess {\n    sagas(first: 1) {\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleAccessDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleOrders($after: String, $status: String) {\n    orders(first: 20, after: $after, status: $status) {\n      edges {\n        cursor\n        node {\n          id\n          customerId\n          status\n          total\n          currency\n          createdAt\n          cancelReason\n          saga {\n            status\n            step\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleOrdersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSagaStats {\n    sagaStats {\n      total\n      running\n      compensating\n      completed\n      cancelled\n      stuck\n      cancelReasons(first: 20) {\n        reason\n        sagas\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleSagaStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSagas($status: SagaStatus, $stuck: Boolean!, $after: String) {\n    sagas(status: $status, stuck: $stuck, first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          orderId\n          status\n          step\n          deadline\n          failure\n          version\n          waiting {\n            partner\n            attempts\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleSagasDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SagaTimelineFields on Saga {\n    orderId\n    correlationId\n    status\n    step\n    deadline\n    failure\n    failureDetail\n    version\n    waiting {\n      partner\n      command\n      attempts\n      since\n      lastAttemptAt\n      nextAttemptAt\n      reason\n    }\n    history {\n      at\n      event\n      step\n      detail\n      causationId\n      commands\n    }\n  }\n"): typeof import('./graphql').SagaTimelineFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSagaTimeline($orderId: ID!) {\n    saga(orderId: $orderId) {\n      ...SagaTimelineFields\n    }\n  }\n"): typeof import('./graphql').ConsoleSagaTimelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleSagaLive($orderId: ID!) {\n    saga(orderId: $orderId) {\n      ...SagaTimelineFields\n    }\n  }\n"): typeof import('./graphql').ConsoleSagaLiveDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleSagaChanges {\n    sagaChanges {\n      orderId\n      status\n      version\n    }\n  }\n"): typeof import('./graphql').ConsoleSagaChangesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTrace($correlationId: ID!) {\n    trace(correlationId: $correlationId) {\n      correlationId\n      kept\n      url\n      spans {\n        spanId\n        function\n        name\n        kind\n        status\n        offsetMs\n        durationMs\n        depth\n        messageType\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleTraceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleEventHistory($aggregateType: String!, $aggregateId: ID!, $fromVersion: Int!) {\n    eventHistory(aggregateType: $aggregateType, aggregateId: $aggregateId, fromVersion: $fromVersion, first: 50) {\n      id\n      type\n      version\n      occurredAt\n      correlationId\n      causationId\n      actorUid\n      actorRole\n      payload\n    }\n  }\n"): typeof import('./graphql').ConsoleEventHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDeadLetters($function: String!) {\n    deadLetters(function: $function, first: 100) {\n      messageId\n      publishTime\n      type\n      aggregateType\n      aggregateId\n      data\n      deliveryAttempts\n    }\n  }\n"): typeof import('./graphql').ConsoleDeadLettersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleReplayDeadLetters($function: String!, $ids: [String!]) {\n    replayDeadLetters(function: $function, ids: $ids) {\n      function\n      messageIds\n      missing\n      failed\n    }\n  }\n"): typeof import('./graphql').ConsoleReplayDeadLettersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDiscardDeadLetters($function: String!, $ids: [String!]!) {\n    discardDeadLetters(function: $function, ids: $ids) {\n      function\n      messageIds\n      missing\n      failed\n    }\n  }\n"): typeof import('./graphql').ConsoleDiscardDeadLettersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleProjectionStatus {\n    projectionStatus {\n      model\n      aggregateType\n      events\n      streams\n      records\n      behind\n      lag\n      lastEventAt\n      lastAppliedPosition\n      headPosition\n    }\n  }\n"): typeof import('./graphql').ConsoleProjectionStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDeadLetterDepth($function: String!) {\n    deadLetters(function: $function, first: 100) {\n      messageId\n    }\n  }\n"): typeof import('./graphql').ConsoleDeadLetterDepthDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleIntegrityReport {\n    integrityReport {\n      ok\n      events\n      streams\n      problemCount\n      problems(first: 20) {\n        kind\n        streamId\n        detail\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleIntegrityReportDocument;
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
export function graphql(source: "\n  fragment OrderProgressFields on Order {\n    id\n    status\n    total\n    currency\n    version\n    createdAt\n    updatedAt\n    lines {\n      productId\n      quantity\n      unitPrice\n    }\n    statusHistory {\n      status\n      at\n      reason\n    }\n    cancelReason\n    cancelDetail\n    statusDetail\n    waiting {\n      partner\n      attempts\n      nextAttemptAt\n    }\n    saga {\n      status\n      step\n      failure\n      failureDetail\n      version\n    }\n  }\n"): typeof import('./graphql').OrderProgressFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderProgress($id: ID!) {\n    order(id: $id) {\n      ...OrderProgressFields\n    }\n  }\n"): typeof import('./graphql').OrderProgressDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OrderLive($id: ID!) {\n    order(id: $id) {\n      ...OrderProgressFields\n    }\n  }\n"): typeof import('./graphql').OrderLiveDocument;
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
