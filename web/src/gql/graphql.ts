/* eslint-disable */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Date with time (isoformat) */
  DateTime: { input: string; output: string; }
};

/** A correction of a product's stock, up or down (a count, a loss). */
export type AdjustStockInput = {
  /** The units to add (above 0) or remove (below 0), at most 1,000,000,000 either way; 0 is rejected with INVALID_QUANTITY, and removing units reserved for orders with INSUFFICIENT_STOCK. */
  delta: Scalars['Int']['input'];
  /** The product's id. */
  productId: Scalars['ID']['input'];
  /** Why, recorded with the change: 1 to 500 characters. */
  reason: Scalars['String']['input'];
};

/** How many cancelled sagas one cancel reason ended. */
export type CancelReasonCount = {
  __typename?: 'CancelReasonCount';
  /** The order's cancel reason, e.g. PAYMENT_DECLINED. */
  reason: Scalars['String']['output'];
  /** How many cancelled sagas it ended. */
  sagas: Scalars['Int']['output'];
};

/** A category of the catalogue; every product belongs to one. */
export type Category = {
  __typename?: 'Category';
  /** When the category was created (RFC 3339, UTC). */
  createdAt: Scalars['DateTime']['output'];
  /** What the category holds (up to 5,000 characters); empty when none was given. */
  description: Scalars['String']['output'];
  /** The category's id. */
  id: Scalars['ID']['output'];
  /** The category's name (1 to 200 characters). */
  name: Scalars['String']['output'];
  /** When the category last changed (RFC 3339, UTC). */
  updatedAt: Scalars['DateTime']['output'];
  /** The aggregate's version this record reflects (its event count, from 1): send it as `expectedVersion` to refuse a change made against an older view. */
  version: Scalars['Int']['output'];
};

/** A product's new price; orders already placed keep the price they captured. */
export type ChangePriceInput = {
  /** The version the change was decided against (a record's `version`, at least 0): when the aggregate has moved on, the command is rejected with STALE_VERSION. Absent: no check. */
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  /** The new price: above zero (INVALID_PRICE otherwise). */
  price: MoneyInput;
  /** The product's id. */
  productId: Scalars['ID']['input'];
};

/** Why a command was rejected. A mutation also reports it as a GraphQL error, with the rejection's category (BAD_USER_INPUT, NOT_FOUND, CONFLICT or FORBIDDEN) as `extensions.code` and its `code` as `extensions.reason`. */
export type CommandError = {
  __typename?: 'CommandError';
  /** A stable code to switch on, e.g. NOT_FOUND, ALREADY_EXISTS, STALE_VERSION, INVALID_PRICE, UNKNOWN_CATEGORY, CATEGORY_IN_USE, INSUFFICIENT_STOCK, STOCK_RESERVED, UNKNOWN_PRODUCT, CURRENCY_MISMATCH, ORDER_NOT_CANCELLABLE, INVALID_INPUT. */
  code: Scalars['String']['output'];
  /** The input field at fault, e.g. `expectedVersion` or `lines.0.productId`; null when none is. */
  field?: Maybe<Scalars['String']['output']>;
  /** What was wrong, in English, for people. */
  message: Scalars['String']['output'];
};

/** What a command came to: its id, its status, and on rejection, why. */
export type CommandResult = {
  __typename?: 'CommandResult';
  /** The id of the category, product or order the command addresses: for a create, the new one's id. */
  aggregateId: Scalars['ID']['output'];
  /** The command's id: the `commandId` sent, or one the server chose. Ask `commandStatus` with it. */
  commandId: Scalars['ID']['output'];
  /** Why, when REJECTED; null otherwise. */
  error?: Maybe<CommandError>;
  /** Where the command stands. */
  status: CommandStatus;
  /** The aggregate's version after the command, when ACCEPTED; null otherwise. */
  version?: Maybe<Scalars['Int']['output']>;
};

/** Where a command stands. */
export type CommandStatus =
  /** Carried out: its events (if it changed anything) are stored. */
  | 'ACCEPTED'
  /** Sent, not decided yet: ask `commandStatus` with its `commandId`. */
  | 'PENDING'
  /** Refused by the rules (`error` says why); nothing changed. */
  | 'REJECTED'
  /** Not decided within the wait; it may still be: ask `commandStatus` with its `commandId`. */
  | 'TIMED_OUT';

/** Where a conversation's spans are, and (kept locally) its waterfall. */
export type ConversationTrace = {
  __typename?: 'ConversationTrace';
  /** The conversation's correlation id. */
  correlationId: Scalars['ID']['output'];
  /** Where this environment keeps spans: `local` (the spans below), `cloud-trace` (see `url`) or `none`. */
  kept: Scalars['String']['output'];
  /** The conversation's spans in causal order, each after the span that caused it (the first 300); empty unless kept locally, or when no span names the conversation. */
  spans: Array<TraceSpan>;
  /** Where spans go to Cloud Trace, its trace list (filter it by the label `kiroku.correlation_id:<correlation id>`); null otherwise. */
  url?: Maybe<Scalars['String']['output']>;
};

/** A new category. */
export type CreateCategoryInput = {
  /** What it holds: up to 5,000 characters, no control characters but tab and line breaks. */
  description?: Scalars['String']['input'];
  /** The new category's id: a letter or digit, then letters, digits and `_ - . :`, at most 100 characters. Absent: derived from `commandId` when given (a retry then addresses the same category), else chosen by the server. A taken id is rejected with ALREADY_EXISTS. */
  id?: InputMaybe<Scalars['ID']['input']>;
  /** Its name: 1 to 200 characters after trimming, no control characters but tab and line breaks. */
  name: Scalars['String']['input'];
};

/** A new product. */
export type CreateProductInput = {
  /** Its category: an existing category's id (UNKNOWN_CATEGORY otherwise). */
  categoryId: Scalars['ID']['input'];
  /** What it is: up to 5,000 characters, no control characters but tab and line breaks. */
  description?: Scalars['String']['input'];
  /** The new product's id: a letter or digit, then letters, digits and `_ - . :`, at most 100 characters. Absent: derived from `commandId` when given (a retry then addresses the same product), else chosen by the server. A taken id is rejected with ALREADY_EXISTS. */
  id?: InputMaybe<Scalars['ID']['input']>;
  /** The units on hand it starts with: 0 to 1,000,000,000. */
  initialStock?: Scalars['Int']['input'];
  /** Its name: 1 to 200 characters after trimming, no control characters but tab and line breaks. */
  name: Scalars['String']['input'];
  /** Its price: above zero (INVALID_PRICE otherwise). */
  price: MoneyInput;
};

/** A message a function gave up on, kept in its dead-letter subscription. */
export type DeadLetter = {
  __typename?: 'DeadLetter';
  /** The aggregate id attribute; null when it has none. */
  aggregateId?: Maybe<Scalars['String']['output']>;
  /** The aggregate type attribute; null when it has none. */
  aggregateType?: Maybe<Scalars['String']['output']>;
  /** The message body as sent (an envelope, if it parsed), as UTF-8 text. */
  data: Scalars['String']['output'];
  /** How many times the function was given it before it was dead-lettered; null when Pub/Sub did not say. */
  deliveryAttempts?: Maybe<Scalars['Int']['output']>;
  /** The Pub/Sub message id in the dead-letter subscription: name it to replay or discard it. */
  messageId: Scalars['String']['output'];
  /** When it was dead-lettered (RFC 3339, UTC). */
  publishTime: Scalars['DateTime']['output'];
  /** The message's type attribute; null when it has none. */
  type?: Maybe<Scalars['String']['output']>;
};

/** What a replay or a discard of dead letters did. */
export type DeadLetterOutcome = {
  __typename?: 'DeadLetterOutcome';
  /** The dead letters that could not be republished: they are kept, to replay again. */
  failed: Array<Scalars['String']['output']>;
  /** The function whose dead letters these are. */
  function: Scalars['String']['output'];
  /** The dead letters replayed (republished, then removed) or discarded (removed). */
  messageIds: Array<Scalars['String']['output']>;
  /** The ids asked for that named no dead letter. */
  missing: Array<Scalars['String']['output']>;
};

/** Damage the integrity check found in the event store. */
export type IntegrityProblem = {
  __typename?: 'IntegrityProblem';
  /** What was found, in English. */
  detail: Scalars['String']['output'];
  /** What is wrong: version_gap, position_gap, outbox_orphan, unlisted_event, stuck_sequencer or stream_head. */
  kind: Scalars['String']['output'];
  /** The damaged stream; null when none is named. */
  streamId?: Maybe<Scalars['String']['output']>;
};

/** The event store's integrity check: per-stream version continuity, global-position continuity (PostgreSQL), outbox entries without events, stream heads (Firestore). */
export type IntegrityReport = {
  __typename?: 'IntegrityReport';
  /** The events checked. */
  events: Scalars['Int']['output'];
  /** True when no damage was found. */
  ok: Scalars['Boolean']['output'];
  /** How many problems were found. */
  problemCount: Scalars['Int']['output'];
  /** The problems found, in the order the check met them. */
  problems: Array<IntegrityProblem>;
  /** The streams checked. */
  streams: Scalars['Int']['output'];
};


/** The event store's integrity check: per-stream version continuity, global-position continuity (PostgreSQL), outbox entries without events, stream heads (Firestore). */
export type IntegrityReportProblemsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** An amount of money: an exact decimal string and its currency. */
export type MoneyInput = {
  /** An exact decimal string, e.g. "12.50", never a float: at most as many decimals as the currency's minor unit (2 for EUR, 0 for JPY), below 1,000,000,000. */
  amount: Scalars['String']['input'];
  /** An ISO 4217 currency code, e.g. EUR (any case). */
  currency: Scalars['String']['input'];
};

/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Corrects a product's stock, up or down. Admins only; rejected with NOT_FOUND, INVALID_QUANTITY or INSUFFICIENT_STOCK. */
  adjustStock: CommandResult;
  /** Cancels an order: it is CANCELLING at once, and CANCELLED once its payment is refunded and its stock released. Your own order, or any for an admin; rejected with NOT_FOUND (someone else's order too) or ORDER_NOT_CANCELLABLE once it is shipping or completed. */
  cancelOrder: CommandResult;
  /** Changes a product's price. Admins only; rejected with NOT_FOUND, STALE_VERSION or INVALID_PRICE. */
  changePrice: CommandResult;
  /** Adds a category. Admins only; rejected with ALREADY_EXISTS when its id is taken. */
  createCategory: CommandResult;
  /** Adds a product. Admins only; rejected with ALREADY_EXISTS, INVALID_PRICE or UNKNOWN_CATEGORY. */
  createProduct: CommandResult;
  /** Deletes a category no product uses. Admins only; rejected with NOT_FOUND, STALE_VERSION or CATEGORY_IN_USE. */
  deleteCategory: CommandResult;
  /** Deletes a product that holds no stock reserved for orders. Admins only; rejected with NOT_FOUND, STALE_VERSION or STOCK_RESERVED. */
  deleteProduct: CommandResult;
  /** Removes dead letters for good: they are acknowledged and never delivered. Admins only. */
  discardDeadLetters: DeadLetterOutcome;
  /** Places an order at the catalogue's prices and starts its fulfilment; with `wait`, answers once it is completed, cancelled or compensating, or after the server's order wait (30 seconds by default). Needs sign-in; rejected with ALREADY_EXISTS, INVALID_INPUT, UNKNOWN_PRODUCT, CURRENCY_MISMATCH or INVALID_QUANTITY. */
  placeOrder: OrderResult;
  /** Republishes a command function's dead letters (all of them without `ids`) to the commands topic, with their original attributes and a `kiroku_replay` marker, and removes each once published: fix the cause first. Handlers are idempotent, so a command already applied changes nothing. A function that takes events answers BAD_USER_INPUT (this API publishes commands only: use `kiroku dead-letters replay`). Admins only. */
  replayDeadLetters: DeadLetterOutcome;
  /** Adds received units to a product's stock. Admins only; rejected with NOT_FOUND. */
  restockProduct: CommandResult;
  /** Renames or redescribes a category. Admins only; rejected with NOT_FOUND or STALE_VERSION. */
  updateCategory: CommandResult;
  /** Changes a product's name, description or category. Admins only; rejected with NOT_FOUND, STALE_VERSION or UNKNOWN_CATEGORY. */
  updateProduct: CommandResult;
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationAdjustStockArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: AdjustStockInput;
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationCancelOrderArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  id: Scalars['ID']['input'];
  reason?: Scalars['String']['input'];
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationChangePriceArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: ChangePriceInput;
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationCreateCategoryArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: CreateCategoryInput;
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationCreateProductArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: CreateProductInput;
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationDeleteCategoryArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationDeleteProductArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationDiscardDeadLettersArgs = {
  function: Scalars['String']['input'];
  ids: Array<Scalars['String']['input']>;
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationPlaceOrderArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: PlaceOrderInput;
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationReplayDeadLettersArgs = {
  function: Scalars['String']['input'];
  ids?: InputMaybe<Array<Scalars['String']['input']>>;
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationRestockProductArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: RestockProductInput;
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationUpdateCategoryArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: UpdateCategoryInput;
  wait?: Scalars['Boolean']['input'];
};


/** What can be asked: catalogue changes (admins), placing and cancelling orders (writers), and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command and, with `wait`, answers its outcome. */
export type MutationUpdateProductArgs = {
  commandId?: InputMaybe<Scalars['ID']['input']>;
  input: UpdateProductInput;
  wait?: Scalars['Boolean']['input'];
};

/** A customer's order: its lines and total, and where its fulfilment stands. */
export type Order = {
  __typename?: 'Order';
  /** The cancellation explained for the customer; null unless CANCELLED. */
  cancelDetail?: Maybe<Scalars['String']['output']>;
  /** Why it was cancelled, a stable code: OUT_OF_STOCK, PRODUCT_UNAVAILABLE, PAYMENT_DECLINED, PAYMENT_FAILED, SHIPPING_FAILED, CANCELLED_BY_CUSTOMER, CANCELLED_BY_ADMIN or DEADLINE_EXCEEDED; null unless CANCELLED. */
  cancelReason?: Maybe<Scalars['String']['output']>;
  /** When the order was placed (RFC 3339, UTC). */
  createdAt: Scalars['DateTime']['output'];
  /** The currency of every line and the total (ISO 4217). */
  currency: Scalars['String']['output'];
  /** The id (Firebase uid) of the customer who placed the order. */
  customerId: Scalars['ID']['output'];
  /** The order's id. */
  id: Scalars['ID']['output'];
  /** The order's lines, as placed. */
  lines: Array<OrderLine>;
  /** The order's fulfilment saga; null until it has started. */
  saga?: Maybe<Saga>;
  /** Where the order stands: PLACED, RESERVED, SHIPPING (paid), COMPLETED, CANCELLING or CANCELLED; PAID only for an order paid before paying and shipping were one step. */
  status: Scalars['String']['output'];
  /** Why the order is where it is, when there is more to say than its status, e.g. `waiting for the payment gateway (attempt 3; next try at 2026-11-30T12:00:05Z)`; else null. */
  statusDetail?: Maybe<Scalars['String']['output']>;
  /** Every status the order has had, oldest first. */
  statusHistory: Array<StatusChange>;
  /** The sum of the lines: an exact decimal string in `currency`, e.g. "25.00". */
  total: Scalars['String']['output'];
  /** When the order last changed (RFC 3339, UTC). */
  updatedAt: Scalars['DateTime']['output'];
  /** The order's version: the number of its events. */
  version: Scalars['Int']['output'];
  /** The partner the order is waiting for (see `statusDetail`); null when none, and once the order is completed or cancelled. */
  waiting?: Maybe<PartnerWait>;
};

/** One page of a list, as a Relay connection: its records with their cursors, and where the page stands. Pages go forward with `first` and `after`. */
export type OrderConnection = {
  __typename?: 'OrderConnection';
  /** The page's records, in the list's order. */
  edges: Array<OrderEdge>;
  /** The page's records without their cursors: `edges { node }`, shorter. */
  nodes: Array<Order>;
  /** Where the page stands: is there more, its cursors. */
  pageInfo: PageInfo;
};

/** A record of a connection's page, with the cursor that points at it. */
export type OrderEdge = {
  __typename?: 'OrderEdge';
  /** An opaque cursor: pass it as `after` to continue the list right after this record. */
  cursor: Scalars['String']['output'];
  /** The record. */
  node: Order;
};

/** A line of an order: a product, how many, and its price when ordered. */
export type OrderLine = {
  __typename?: 'OrderLine';
  /** The product's id. */
  productId: Scalars['ID']['output'];
  /** How many units: 1 to 1,000,000. */
  quantity: Scalars['Int']['output'];
  /** The unit price captured when the order was placed: an exact decimal string in the order's `currency`. */
  unitPrice: Scalars['String']['output'];
};

/** A line of a new order: a product and how many. */
export type OrderLineInput = {
  /** A product for sale (UNKNOWN_PRODUCT otherwise), on one line only (INVALID_INPUT). */
  productId: Scalars['ID']['input'];
  /** How many units: 1 to 1,000,000. */
  quantity: Scalars['Int']['input'];
};

/** What placing an order came to: the command's result, and the order as it stood when the wait ended. */
export type OrderResult = {
  __typename?: 'OrderResult';
  /** The id of the category, product or order the command addresses: for a create, the new one's id. */
  aggregateId: Scalars['ID']['output'];
  /** The command's id: the `commandId` sent, or one the server chose. Ask `commandStatus` with it. */
  commandId: Scalars['ID']['output'];
  /** Why, when REJECTED; null otherwise. */
  error?: Maybe<CommandError>;
  /** The order when the wait ended: completed, cancelled, compensating, or as far as it got in time; null when it was not placed, not waited for, or not readable yet. */
  order?: Maybe<Order>;
  /** Where the command stands. */
  status: CommandStatus;
  /** The aggregate's version after the command, when ACCEPTED; null otherwise. */
  version?: Maybe<Scalars['Int']['output']>;
};

/** Where a page of a connection stands in its list (Relay's PageInfo). */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor of the page's last record, to pass as `after` for the next page; null when the page is empty. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether records follow this page: ask for them with `after: endCursor`. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether records come before this page: true when it was asked for with `after`. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The cursor of the page's first record; null when the page is empty. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** A partner the order is waiting for: its gateway is away, slow or behind an open circuit. The step is tried again until the partner answers or the step's deadline passes; it is not failed. */
export type PartnerWait = {
  __typename?: 'PartnerWait';
  /** Deliveries of the command so far. */
  attempts: Scalars['Int']['output'];
  /** The waiting command's type: ProcessPayment, ShipOrder or RefundPayment. */
  command: Scalars['String']['output'];
  /** The latest failed attempt (RFC 3339, UTC). */
  lastAttemptAt: Scalars['DateTime']['output'];
  /** When the command is delivered again (RFC 3339, UTC); null when not known. */
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** The partner: `payment gateway` or `shipping gateway`. */
  partner: Scalars['String']['output'];
  /** The partner's own words; admins only, else null. */
  reason?: Maybe<Scalars['String']['output']>;
  /** The first failed attempt (RFC 3339, UTC). */
  since: Scalars['DateTime']['output'];
};

/** A new order: its lines, how it is paid and where it ships. */
export type PlaceOrderInput = {
  /** The new order's id: a letter or digit, then letters, digits and `_ - . :`, at most 100 characters. Absent: derived from `commandId` when given (a retry then addresses the same order), else chosen by the server. A taken id is rejected with ALREADY_EXISTS. */
  id?: InputMaybe<Scalars['ID']['input']>;
  /** The lines: 1 to 100, every product priced in one currency (CURRENCY_MISMATCH otherwise), the total below 1,000,000,000 (INVALID_QUANTITY otherwise). */
  lines: Array<OrderLineInput>;
  /** The payment method's token from the payment provider: 1 to 200 characters. */
  paymentToken: Scalars['String']['input'];
  /** Where the order ships: 1 to 1,000 characters. */
  shippingAddress: Scalars['String']['input'];
};

/** A product for sale: its price, its stock and its category. */
export type Product = {
  __typename?: 'Product';
  /** The product's category; null when the catalogue no longer holds it. */
  category?: Maybe<Category>;
  /** The id of the product's category. */
  categoryId: Scalars['ID']['output'];
  /** When the product was created (RFC 3339, UTC). */
  createdAt: Scalars['DateTime']['output'];
  /** The price's currency: an ISO 4217 code, e.g. EUR. */
  currency: Scalars['String']['output'];
  /** What the product is (up to 5,000 characters); empty when none was given. */
  description: Scalars['String']['output'];
  /** The product's id. */
  id: Scalars['ID']['output'];
  /** Whether a unit can be ordered: some stock is not held by reservations. */
  inStock: Scalars['Boolean']['output'];
  /** The product's name (1 to 200 characters). */
  name: Scalars['String']['output'];
  /** The price: an exact decimal string in `currency`, with its minor unit's decimals, e.g. "12.50" for EUR. */
  price: Scalars['String']['output'];
  /** Units on hand, those reserved for orders included. */
  stock: Scalars['Int']['output'];
  /** When the product last changed (RFC 3339, UTC). */
  updatedAt: Scalars['DateTime']['output'];
  /** The aggregate's version this record reflects (its event count, from 1): send it as `expectedVersion` to refuse a change made against an older view. */
  version: Scalars['Int']['output'];
};

/** One page of a list, as a Relay connection: its records with their cursors, and where the page stands. Pages go forward with `first` and `after`. */
export type ProductConnection = {
  __typename?: 'ProductConnection';
  /** The page's records, in the list's order. */
  edges: Array<ProductEdge>;
  /** The page's records without their cursors: `edges { node }`, shorter. */
  nodes: Array<Product>;
  /** Where the page stands: is there more, its cursors. */
  pageInfo: PageInfo;
};

/** A record of a connection's page, with the cursor that points at it. */
export type ProductEdge = {
  __typename?: 'ProductEdge';
  /** An opaque cursor: pass it as `after` to continue the list right after this record. */
  cursor: Scalars['String']['output'];
  /** The record. */
  node: Product;
};

/** Which products a list holds: each criterion given must match. */
export type ProductFilter = {
  /** Only the products of this category. */
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  /** With true, only the products a unit of which can be ordered (see `Product.inStock`); with false, only the others. */
  inStock?: InputMaybe<Scalars['Boolean']['input']>;
  /** Only the products priced at most this exact decimal amount, e.g. "99.99", whatever their currency (BAD_USER_INPUT when not a decimal). */
  maxPrice?: InputMaybe<Scalars['String']['input']>;
  /** Only the products priced at least this exact decimal amount, e.g. "10.00", whatever their currency (BAD_USER_INPUT when not a decimal). */
  minPrice?: InputMaybe<Scalars['String']['input']>;
  /** Only the products whose name contains this text, ignoring case. */
  nameContains?: InputMaybe<Scalars['String']['input']>;
};

/** How far one read model lags behind the event store it is projected from. */
export type ProjectionStatus = {
  __typename?: 'ProjectionStatus';
  /** The aggregate type it is projected from. */
  aggregateType: Scalars['String']['output'];
  /** The aggregates whose record has not applied their latest event (or is missing). */
  behind: Scalars['Int']['output'];
  /** The events of that type in the event store. */
  events: Scalars['Int']['output'];
  /** The event store's last global position (PostgreSQL); null on Firestore. */
  headPosition?: Maybe<Scalars['Int']['output']>;
  /** The events those records have not applied yet: 0 when caught up. */
  lag: Scalars['Int']['output'];
  /** The highest global position (PostgreSQL) among the events the records have applied; null on Firestore, whose log has no global order. */
  lastAppliedPosition?: Maybe<Scalars['Int']['output']>;
  /** When the newest event of that type happened (RFC 3339, UTC); null when there is none. */
  lastEventAt?: Maybe<Scalars['DateTime']['output']>;
  /** The read model, e.g. `products`. */
  model: Scalars['String']['output'];
  /** The read model's live records. */
  records: Scalars['Int']['output'];
  /** The aggregates (streams) of that type. */
  streams: Scalars['Int']['output'];
};

/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type Query = {
  __typename?: 'Query';
  /** Every category, by name. Open to everyone. */
  categories: Array<Category>;
  /** A category by its id; null when there is none. Open to everyone. */
  category?: Maybe<Category>;
  /** A command's result by its id, for its sender or an admin; null when unknown or someone else's. A rejection is reported only in the result here, not as an error. Needs sign-in (UNAUTHENTICATED otherwise). */
  commandStatus?: Maybe<CommandResult>;
  /** A look at the messages a function gave up on: they stay where they are (replay or discard them with `replayDeadLetters` and `discardDeadLetters`). Empty when none arrive within 2 seconds. Admins only. */
  deadLetters: Array<DeadLetter>;
  /** An aggregate's events from the event store, in order: the record itself, not a read model. Admins only. */
  eventHistory: Array<StoredEvent>;
  /** The event store's integrity check, run now (one pass over the log: seconds on a large one). Admins only. */
  integrityReport: IntegrityReport;
  /** An order by its id: your own, or any for an admin; null when there is none or it is someone else's. Needs sign-in. */
  order?: Maybe<Order>;
  /** Orders, newest first, a page at a time: your own, or every order for an admin. Needs sign-in. */
  orders: OrderConnection;
  /** A product by its id; null when there is none. Open to everyone. */
  product?: Maybe<Product>;
  /** Products by name, as a plain list: every match up to 500 (more is BAD_USER_INPUT: page them), or one page when `first` or `after` is given. Open to everyone. */
  products: Array<Product>;
  /** Products by name, a page at a time (a Relay connection). Open to everyone. */
  productsConnection: ProductConnection;
  /** How far each read model lags behind the event store (one pass over the log: seconds on a large one). Admins only. */
  projectionStatus: Array<ProjectionStatus>;
  /** An order's fulfilment saga: your own, or any for an admin; null when there is none or it is someone else's. Needs sign-in. */
  saga?: Maybe<Saga>;
  /** Every fulfilment saga counted by status and cancel reason, and the stuck ones. Admins only. */
  sagaStats: SagaStats;
  /** Fulfilment sagas by order id, a page at a time: all of them, those of one status, or the stuck ones (open, their deadline passed long enough ago that the deadline sweep should have moved them on), longest overdue first. Admins only. */
  sagas: SagaConnection;
  /** A conversation's trace by its correlation id (an order's is its placeOrder commandId, shown on each of its events by `eventHistory`): locally the waterfall of the spans every function kept, in the cloud the link to them in Cloud Trace. Admins only. */
  trace: ConversationTrace;
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryCategoryArgs = {
  id: Scalars['ID']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryCommandStatusArgs = {
  id: Scalars['ID']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryDeadLettersArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  function: Scalars['String']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryEventHistoryArgs = {
  aggregateId: Scalars['ID']['input'];
  aggregateType: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  fromVersion?: Scalars['Int']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Scalars['String']['input']>;
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryProductArgs = {
  id: Scalars['ID']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ProductFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryProductsConnectionArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ProductFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryProjectionStatusArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QuerySagaArgs = {
  orderId: Scalars['ID']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QuerySagasArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<SagaStatus>;
  stuck?: Scalars['Boolean']['input'];
};


/** What can be read: the catalogue, orders and their sagas, a command's outcome, and (for admins) event histories, dead letters and a conversation's trace. */
export type QueryTraceArgs = {
  correlationId: Scalars['ID']['input'];
};

/** Units received into a product's stock. */
export type RestockProductInput = {
  /** The product's id. */
  productId: Scalars['ID']['input'];
  /** The units received: 1 to 1,000,000,000. */
  quantity: Scalars['Int']['input'];
  /** Why, recorded with the change: 1 to 500 characters. */
  reason?: Scalars['String']['input'];
};

/** An order's fulfilment saga: the steps that reserve, charge and ship the order, or undo them when one fails. */
export type Saga = {
  __typename?: 'Saga';
  /** The order's conversation: its placeOrder commandId, which `trace` and the audit record find it by. */
  correlationId: Scalars['ID']['output'];
  /** When the current step runs out of time (RFC 3339, UTC): a forward step then fails, a compensating one is sent again; null once the saga has ended. */
  deadline?: Maybe<Scalars['DateTime']['output']>;
  /** The code of the failure that started the compensation (an order's `cancelReason`, e.g. PAYMENT_DECLINED); null while none has. */
  failure?: Maybe<Scalars['String']['output']>;
  /** The failure explained: the participant's own words for an admin; for the customer, a stable message instead of a gateway's or a deadline's words. Null when none. */
  failureDetail?: Maybe<Scalars['String']['output']>;
  /** The saga's events, oldest first. */
  history: Array<SagaHistoryEntry>;
  /** The order's id. */
  orderId: Scalars['ID']['output'];
  /** RUNNING, COMPENSATING, COMPLETED or CANCELLED. */
  status: Scalars['String']['output'];
  /** The current step: RESERVING, PAYING, SHIPPING, COMPLETING, AWAITING_PAYMENT, AWAITING_SHIPMENT, REFUNDING, RELEASING, CANCELLING, COMPLETED or CANCELLED. */
  step?: Maybe<Scalars['String']['output']>;
  /** The saga's version: the number of its events. */
  version: Scalars['Int']['output'];
  /** The partner the current step is waiting for; null when none. */
  waiting?: Maybe<PartnerWait>;
};

/** A fulfilment saga that changed: which one, and what it became. */
export type SagaChange = {
  __typename?: 'SagaChange';
  /** The order's id (its saga's). */
  orderId: Scalars['ID']['output'];
  /** The saga's status since the change: RUNNING, COMPENSATING, COMPLETED or CANCELLED; null once it is gone (a rebuild of the read model). */
  status?: Maybe<Scalars['String']['output']>;
  /** The saga's version since the change; 0 once it is gone. */
  version: Scalars['Int']['output'];
};

/** One page of a list, as a Relay connection: its records with their cursors, and where the page stands. Pages go forward with `first` and `after`. */
export type SagaConnection = {
  __typename?: 'SagaConnection';
  /** The page's records, in the list's order. */
  edges: Array<SagaEdge>;
  /** The page's records without their cursors: `edges { node }`, shorter. */
  nodes: Array<Saga>;
  /** Where the page stands: is there more, its cursors. */
  pageInfo: PageInfo;
};

/** A record of a connection's page, with the cursor that points at it. */
export type SagaEdge = {
  __typename?: 'SagaEdge';
  /** An opaque cursor: pass it as `after` to continue the list right after this record. */
  cursor: Scalars['String']['output'];
  /** The record. */
  node: Saga;
};

/** An event of an order's fulfilment saga, as its history shows it. */
export type SagaHistoryEntry = {
  __typename?: 'SagaHistoryEntry';
  /** When it happened (RFC 3339, UTC). */
  at: Scalars['DateTime']['output'];
  /** The id of the message that caused the event. */
  causationId: Scalars['String']['output'];
  /** The types of the commands the event issued, e.g. ProcessPayment; empty when none. */
  commands: Array<Scalars['String']['output']>;
  /** What was learnt, e.g. a gateway's answer; admins only, and null when none. */
  detail?: Maybe<Scalars['String']['output']>;
  /** The saga event's type, e.g. SagaStarted, FactRecorded, CommandsIssued, CompensationStarted, DeadlineMissed or SagaEnded. */
  event: Scalars['String']['output'];
  /** The step the event is about, e.g. PAYING (see `Saga.step`); null when none. */
  step?: Maybe<Scalars['String']['output']>;
};

/** Every fulfilment saga counted: by status, by cancel reason, and the stuck ones. */
export type SagaStats = {
  __typename?: 'SagaStats';
  /** The cancelled sagas by cancel reason, the most frequent first. */
  cancelReasons: Array<CancelReasonCount>;
  /** Sagas CANCELLED. */
  cancelled: Scalars['Int']['output'];
  /** Sagas COMPENSATING. */
  compensating: Scalars['Int']['output'];
  /** Sagas COMPLETED. */
  completed: Scalars['Int']['output'];
  /** Sagas RUNNING. */
  running: Scalars['Int']['output'];
  /** Open sagas whose deadline passed more than 2 minutes ago: the deadline sweep should have moved them on by then. */
  stuck: Scalars['Int']['output'];
  /** Every saga there is. */
  total: Scalars['Int']['output'];
};


/** Every fulfilment saga counted: by status, by cancel reason, and the stuck ones. */
export type SagaStatsCancelReasonsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Where a fulfilment saga stands. */
export type SagaStatus =
  /** Ended with the order cancelled. */
  | 'CANCELLED'
  /** A step failed: undoing what was done before cancelling the order. */
  | 'COMPENSATING'
  /** Ended with the order completed. */
  | 'COMPLETED'
  /** Moving the order forward. */
  | 'RUNNING';

/** A move of an order to another status. */
export type StatusChange = {
  __typename?: 'StatusChange';
  /** When it moved (RFC 3339, UTC). */
  at: Scalars['DateTime']['output'];
  /** The reason given: a cancel request's words (CANCELLING) or the cancellation's code (CANCELLED); null otherwise. */
  reason?: Maybe<Scalars['String']['output']>;
  /** The status the order moved to: PLACED, RESERVED, SHIPPING (paid), COMPLETED, CANCELLING or CANCELLED; PAID only for an order paid before paying and shipping were one step. */
  status: Scalars['String']['output'];
};

/** An event as the event store holds it: the record of what happened. */
export type StoredEvent = {
  __typename?: 'StoredEvent';
  /** The role it acted with: reader, writer, admin or system (the fulfilment saga). */
  actorRole: Scalars['String']['output'];
  /** The uid of whoever caused it. */
  actorUid: Scalars['String']['output'];
  /** The id of the message that caused this event. */
  causationId: Scalars['String']['output'];
  /** The id every message that one request led to shares: its first command's id. */
  correlationId: Scalars['String']['output'];
  /** The event's id. */
  id: Scalars['ID']['output'];
  /** When it happened (RFC 3339, UTC). */
  occurredAt: Scalars['DateTime']['output'];
  /** The event's payload, as JSON with sorted keys. */
  payload: Scalars['String']['output'];
  /** The event's type, e.g. ProductCreated or OrderPlaced. */
  type: Scalars['String']['output'];
  /** Its place in the aggregate's stream: 1 for the first event. */
  version: Scalars['Int']['output'];
};

/** What can be followed as it changes, over Server-Sent Events (POST with `Accept: text/event-stream`, graphql-sse's distinct connections): an order and its saga. */
export type Subscription = {
  __typename?: 'Subscription';
  /** An order as it stands, then again at each change of it or its saga, until it is completed or cancelled: your own, or any for an admin; null while it is not there (or not yours). Needs sign-in. */
  order?: Maybe<Order>;
  /** An order's fulfilment saga as it stands, then again at each change, until it has ended: your own order's, or any for an admin; null while there is none (or not yours). Needs sign-in. */
  saga?: Maybe<Saga>;
  /** Each change of any fulfilment saga as it happens (which one, its status and version), for the saga monitor to read again what it shows; a change is told once, however many read it. Ends after the server's subscription time. Admins only. */
  sagaChanges: SagaChange;
};


/** What can be followed as it changes, over Server-Sent Events (POST with `Accept: text/event-stream`, graphql-sse's distinct connections): an order and its saga. */
export type SubscriptionOrderArgs = {
  id: Scalars['ID']['input'];
};


/** What can be followed as it changes, over Server-Sent Events (POST with `Accept: text/event-stream`, graphql-sse's distinct connections): an order and its saga. */
export type SubscriptionSagaArgs = {
  orderId: Scalars['ID']['input'];
};

/** A span of a conversation, placed in its waterfall. */
export type TraceSpan = {
  __typename?: 'TraceSpan';
  /** The id of what caused that message. */
  causationId?: Maybe<Scalars['String']['output']>;
  /** How far below the first span it is caused. */
  depth: Scalars['Int']['output'];
  /** How long it ran. */
  durationMs: Scalars['Float']['output'];
  /** The function that made it. */
  function: Scalars['String']['output'];
  /** SERVER (a request), CONSUMER (a message), INTERNAL (a step). */
  kind: Scalars['String']['output'];
  /** The id of the message it handled, if any. */
  messageId?: Maybe<Scalars['String']['output']>;
  /** What it handled: a command or an event. */
  messageKind?: Maybe<Scalars['String']['output']>;
  /** The command or event it handled, if any. */
  messageType?: Maybe<Scalars['String']['output']>;
  /** What it did: `<function> <message type>`, or a step's name. */
  name: Scalars['String']['output'];
  /** When it started, after the conversation's first span. */
  offsetMs: Scalars['Float']['output'];
  /** The span that caused it; null for the first. */
  parentId?: Maybe<Scalars['String']['output']>;
  /** The span's id (hex). */
  spanId: Scalars['String']['output'];
  /** UNSET, OK or ERROR. */
  status: Scalars['String']['output'];
};

/** A change to a category: the fields left out keep their value. */
export type UpdateCategoryInput = {
  /** Its new description: up to 5,000 characters, no control characters but tab and line breaks; empty clears it. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The version the change was decided against (a record's `version`, at least 0): when the aggregate has moved on, the command is rejected with STALE_VERSION. Absent: no check. */
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  /** The category's id. */
  id: Scalars['ID']['input'];
  /** Its new name: 1 to 200 characters after trimming, no control characters but tab and line breaks. */
  name?: InputMaybe<Scalars['String']['input']>;
};

/** A change to a product's name, description or category (its price and stock have their own mutations): the fields left out keep their value. */
export type UpdateProductInput = {
  /** Its new category: an existing category's id (UNKNOWN_CATEGORY otherwise). */
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  /** Its new description: up to 5,000 characters, no control characters but tab and line breaks; empty clears it. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** The version the change was decided against (a record's `version`, at least 0): when the aggregate has moved on, the command is rejected with STALE_VERSION. Absent: no check. */
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  /** The product's id. */
  id: Scalars['ID']['input'];
  /** Its new name: 1 to 200 characters after trimming, no control characters but tab and line breaks. */
  name?: InputMaybe<Scalars['String']['input']>;
};

export type StorefrontQueryVariables = Exact<{
  filter?: InputMaybe<ProductFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type StorefrontQuery = { __typename?: 'Query', categories: Array<{ __typename?: 'Category', id: string, name: string }>, productsConnection: { __typename?: 'ProductConnection', edges: Array<{ __typename?: 'ProductEdge', cursor: string, node: { __typename?: 'Product', id: string, name: string, price: string, currency: string, inStock: boolean, category?: { __typename?: 'Category', id: string, name: string } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, endCursor?: string | null } } };

export type ProductPageQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ProductPageQuery = { __typename?: 'Query', product?: { __typename?: 'Product', id: string, name: string, description: string, price: string, currency: string, stock: number, inStock: boolean, category?: { __typename?: 'Category', id: string, name: string } | null } | null };

export type ConsoleProductsQueryVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ConsoleProductsQuery = { __typename?: 'Query', productsConnection: { __typename?: 'ProductConnection', edges: Array<{ __typename?: 'ProductEdge', cursor: string, node: { __typename?: 'Product', id: string, name: string, price: string, currency: string, stock: number, inStock: boolean, version: number, category?: { __typename?: 'Category', id: string, name: string } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, endCursor?: string | null } } };

export type ConsoleCategoriesQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleCategoriesQuery = { __typename?: 'Query', categories: Array<{ __typename?: 'Category', id: string, name: string, description: string, version: number }> };

export type ConsoleProductQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ConsoleProductQuery = { __typename?: 'Query', product?: { __typename?: 'Product', id: string, name: string, description: string, price: string, currency: string, stock: number, inStock: boolean, version: number, updatedAt: string, category?: { __typename?: 'Category', id: string, name: string } | null } | null };

export type ConsoleCommandResultFragment = { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null };

export type ConsoleCreateCategoryMutationVariables = Exact<{
  input: CreateCategoryInput;
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleCreateCategoryMutation = { __typename?: 'Mutation', createCategory: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleCreateProductMutationVariables = Exact<{
  input: CreateProductInput;
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleCreateProductMutation = { __typename?: 'Mutation', createProduct: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleUpdateProductMutationVariables = Exact<{
  input: UpdateProductInput;
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleUpdateProductMutation = { __typename?: 'Mutation', updateProduct: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleChangePriceMutationVariables = Exact<{
  input: ChangePriceInput;
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleChangePriceMutation = { __typename?: 'Mutation', changePrice: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleRestockProductMutationVariables = Exact<{
  input: RestockProductInput;
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleRestockProductMutation = { __typename?: 'Mutation', restockProduct: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleDeleteProductMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  expectedVersion: Scalars['Int']['input'];
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleDeleteProductMutation = { __typename?: 'Mutation', deleteProduct: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleDeleteCategoryMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  expectedVersion: Scalars['Int']['input'];
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleDeleteCategoryMutation = { __typename?: 'Mutation', deleteCategory: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleUpdateCategoryMutationVariables = Exact<{
  input: UpdateCategoryInput;
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleUpdateCategoryMutation = { __typename?: 'Mutation', updateCategory: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleAdjustStockMutationVariables = Exact<{
  input: AdjustStockInput;
  commandId: Scalars['ID']['input'];
}>;


export type ConsoleAdjustStockMutation = { __typename?: 'Mutation', adjustStock: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, version?: number | null, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type ConsoleAccessQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleAccessQuery = { __typename?: 'Query', sagas: { __typename?: 'SagaConnection', pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean } } };

export type ConsoleOrdersQueryVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<Scalars['String']['input']>;
}>;


export type ConsoleOrdersQuery = { __typename?: 'Query', orders: { __typename?: 'OrderConnection', edges: Array<{ __typename?: 'OrderEdge', cursor: string, node: { __typename?: 'Order', id: string, customerId: string, status: string, total: string, currency: string, createdAt: string, cancelReason?: string | null, saga?: { __typename?: 'Saga', status: string, step?: string | null } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, endCursor?: string | null } } };

export type ConsoleSagaStatsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleSagaStatsQuery = { __typename?: 'Query', sagaStats: { __typename?: 'SagaStats', total: number, running: number, compensating: number, completed: number, cancelled: number, stuck: number, cancelReasons: Array<{ __typename?: 'CancelReasonCount', reason: string, sagas: number }> } };

export type ConsoleSagasQueryVariables = Exact<{
  status?: InputMaybe<SagaStatus>;
  stuck: Scalars['Boolean']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ConsoleSagasQuery = { __typename?: 'Query', sagas: { __typename?: 'SagaConnection', edges: Array<{ __typename?: 'SagaEdge', cursor: string, node: { __typename?: 'Saga', orderId: string, status: string, step?: string | null, deadline?: string | null, failure?: string | null, version: number, waiting?: { __typename?: 'PartnerWait', partner: string, attempts: number } | null } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, endCursor?: string | null } } };

export type SagaTimelineFieldsFragment = { __typename?: 'Saga', orderId: string, correlationId: string, status: string, step?: string | null, deadline?: string | null, failure?: string | null, failureDetail?: string | null, version: number, waiting?: { __typename?: 'PartnerWait', partner: string, command: string, attempts: number, since: string, lastAttemptAt: string, nextAttemptAt?: string | null, reason?: string | null } | null, history: Array<{ __typename?: 'SagaHistoryEntry', at: string, event: string, step?: string | null, detail?: string | null, causationId: string, commands: Array<string> }> };

export type ConsoleSagaTimelineQueryVariables = Exact<{
  orderId: Scalars['ID']['input'];
}>;


export type ConsoleSagaTimelineQuery = { __typename?: 'Query', saga?: { __typename?: 'Saga', orderId: string, correlationId: string, status: string, step?: string | null, deadline?: string | null, failure?: string | null, failureDetail?: string | null, version: number, waiting?: { __typename?: 'PartnerWait', partner: string, command: string, attempts: number, since: string, lastAttemptAt: string, nextAttemptAt?: string | null, reason?: string | null } | null, history: Array<{ __typename?: 'SagaHistoryEntry', at: string, event: string, step?: string | null, detail?: string | null, causationId: string, commands: Array<string> }> } | null };

export type ConsoleSagaLiveSubscriptionVariables = Exact<{
  orderId: Scalars['ID']['input'];
}>;


export type ConsoleSagaLiveSubscription = { __typename?: 'Subscription', saga?: { __typename?: 'Saga', orderId: string, correlationId: string, status: string, step?: string | null, deadline?: string | null, failure?: string | null, failureDetail?: string | null, version: number, waiting?: { __typename?: 'PartnerWait', partner: string, command: string, attempts: number, since: string, lastAttemptAt: string, nextAttemptAt?: string | null, reason?: string | null } | null, history: Array<{ __typename?: 'SagaHistoryEntry', at: string, event: string, step?: string | null, detail?: string | null, causationId: string, commands: Array<string> }> } | null };

export type ConsoleSagaChangesSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type ConsoleSagaChangesSubscription = { __typename?: 'Subscription', sagaChanges: { __typename?: 'SagaChange', orderId: string, status?: string | null, version: number } };

export type ConsoleTraceQueryVariables = Exact<{
  correlationId: Scalars['ID']['input'];
}>;


export type ConsoleTraceQuery = { __typename?: 'Query', trace: { __typename?: 'ConversationTrace', correlationId: string, kept: string, url?: string | null, spans: Array<{ __typename?: 'TraceSpan', spanId: string, function: string, name: string, kind: string, status: string, offsetMs: number, durationMs: number, depth: number, messageType?: string | null }> } };

export type ConsoleEventHistoryQueryVariables = Exact<{
  aggregateType: Scalars['String']['input'];
  aggregateId: Scalars['ID']['input'];
  fromVersion: Scalars['Int']['input'];
}>;


export type ConsoleEventHistoryQuery = { __typename?: 'Query', eventHistory: Array<{ __typename?: 'StoredEvent', id: string, type: string, version: number, occurredAt: string, correlationId: string, causationId: string, actorUid: string, actorRole: string, payload: string }> };

export type ConsoleDeadLettersQueryVariables = Exact<{
  function: Scalars['String']['input'];
}>;


export type ConsoleDeadLettersQuery = { __typename?: 'Query', deadLetters: Array<{ __typename?: 'DeadLetter', messageId: string, publishTime: string, type?: string | null, aggregateType?: string | null, aggregateId?: string | null, data: string, deliveryAttempts?: number | null }> };

export type ConsoleReplayDeadLettersMutationVariables = Exact<{
  function: Scalars['String']['input'];
  ids?: InputMaybe<Array<Scalars['String']['input']> | Scalars['String']['input']>;
}>;


export type ConsoleReplayDeadLettersMutation = { __typename?: 'Mutation', replayDeadLetters: { __typename?: 'DeadLetterOutcome', function: string, messageIds: Array<string>, missing: Array<string>, failed: Array<string> } };

export type ConsoleDiscardDeadLettersMutationVariables = Exact<{
  function: Scalars['String']['input'];
  ids: Array<Scalars['String']['input']> | Scalars['String']['input'];
}>;


export type ConsoleDiscardDeadLettersMutation = { __typename?: 'Mutation', discardDeadLetters: { __typename?: 'DeadLetterOutcome', function: string, messageIds: Array<string>, missing: Array<string>, failed: Array<string> } };

export type ConsoleProjectionStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleProjectionStatusQuery = { __typename?: 'Query', projectionStatus: Array<{ __typename?: 'ProjectionStatus', model: string, aggregateType: string, events: number, streams: number, records: number, behind: number, lag: number, lastEventAt?: string | null, lastAppliedPosition?: number | null, headPosition?: number | null }> };

export type ConsoleDeadLetterDepthQueryVariables = Exact<{
  function: Scalars['String']['input'];
}>;


export type ConsoleDeadLetterDepthQuery = { __typename?: 'Query', deadLetters: Array<{ __typename?: 'DeadLetter', messageId: string }> };

export type ConsoleIntegrityReportQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleIntegrityReportQuery = { __typename?: 'Query', integrityReport: { __typename?: 'IntegrityReport', ok: boolean, events: number, streams: number, problemCount: number, problems: Array<{ __typename?: 'IntegrityProblem', kind: string, streamId?: string | null, detail: string }> } };

export type PlaceOrderMutationVariables = Exact<{
  input: PlaceOrderInput;
  commandId: Scalars['ID']['input'];
}>;


export type PlaceOrderMutation = { __typename?: 'Mutation', placeOrder: { __typename?: 'OrderResult', commandId: string, status: CommandStatus, aggregateId: string, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export type CheckoutCommandQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CheckoutCommandQuery = { __typename?: 'Query', commandStatus?: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, aggregateId: string, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } | null };

export type OrderProgressFieldsFragment = { __typename?: 'Order', id: string, status: string, total: string, currency: string, version: number, createdAt: string, updatedAt: string, cancelReason?: string | null, cancelDetail?: string | null, statusDetail?: string | null, lines: Array<{ __typename?: 'OrderLine', productId: string, quantity: number, unitPrice: string }>, statusHistory: Array<{ __typename?: 'StatusChange', status: string, at: string, reason?: string | null }>, waiting?: { __typename?: 'PartnerWait', partner: string, attempts: number, nextAttemptAt?: string | null } | null, saga?: { __typename?: 'Saga', status: string, step?: string | null, failure?: string | null, failureDetail?: string | null, version: number } | null };

export type OrderProgressQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type OrderProgressQuery = { __typename?: 'Query', order?: { __typename?: 'Order', id: string, status: string, total: string, currency: string, version: number, createdAt: string, updatedAt: string, cancelReason?: string | null, cancelDetail?: string | null, statusDetail?: string | null, lines: Array<{ __typename?: 'OrderLine', productId: string, quantity: number, unitPrice: string }>, statusHistory: Array<{ __typename?: 'StatusChange', status: string, at: string, reason?: string | null }>, waiting?: { __typename?: 'PartnerWait', partner: string, attempts: number, nextAttemptAt?: string | null } | null, saga?: { __typename?: 'Saga', status: string, step?: string | null, failure?: string | null, failureDetail?: string | null, version: number } | null } | null };

export type OrderLiveSubscriptionVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type OrderLiveSubscription = { __typename?: 'Subscription', order?: { __typename?: 'Order', id: string, status: string, total: string, currency: string, version: number, createdAt: string, updatedAt: string, cancelReason?: string | null, cancelDetail?: string | null, statusDetail?: string | null, lines: Array<{ __typename?: 'OrderLine', productId: string, quantity: number, unitPrice: string }>, statusHistory: Array<{ __typename?: 'StatusChange', status: string, at: string, reason?: string | null }>, waiting?: { __typename?: 'PartnerWait', partner: string, attempts: number, nextAttemptAt?: string | null } | null, saga?: { __typename?: 'Saga', status: string, step?: string | null, failure?: string | null, failureDetail?: string | null, version: number } | null } | null };

export type OrderLineProductQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type OrderLineProductQuery = { __typename?: 'Query', product?: { __typename?: 'Product', id: string, name: string, price: string, currency: string } | null };

export type MyOrdersQueryVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type MyOrdersQuery = { __typename?: 'Query', orders: { __typename?: 'OrderConnection', edges: Array<{ __typename?: 'OrderEdge', cursor: string, node: { __typename?: 'Order', id: string, status: string, total: string, currency: string, createdAt: string, cancelReason?: string | null, lines: Array<{ __typename?: 'OrderLine', quantity: number }> } }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, endCursor?: string | null } } };

export type CancelOrderMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  commandId: Scalars['ID']['input'];
}>;


export type CancelOrderMutation = { __typename?: 'Mutation', cancelOrder: { __typename?: 'CommandResult', commandId: string, status: CommandStatus, error?: { __typename?: 'CommandError', code: string, message: string, field?: string | null } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ConsoleCommandResultFragmentDoc = new TypedDocumentString(`
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}
    `, {"fragmentName":"ConsoleCommandResult"}) as unknown as TypedDocumentString<ConsoleCommandResultFragment, unknown>;
export const SagaTimelineFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"SagaTimelineFields"}) as unknown as TypedDocumentString<SagaTimelineFieldsFragment, unknown>;
export const OrderProgressFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"OrderProgressFields"}) as unknown as TypedDocumentString<OrderProgressFieldsFragment, unknown>;
export const StorefrontDocument = new TypedDocumentString(`
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
    `, {"hash":"8b5b59a73efe16edadf79e8e933f797e3dc8fe46250998c0b6a9398997584ea7"}) as unknown as TypedDocumentString<StorefrontQuery, StorefrontQueryVariables>;
export const ProductPageDocument = new TypedDocumentString(`
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
    `, {"hash":"ea607756075fa4612ccd7f3641960bd4800eb12d6d0ee392ee0619c348be0c66"}) as unknown as TypedDocumentString<ProductPageQuery, ProductPageQueryVariables>;
export const ConsoleProductsDocument = new TypedDocumentString(`
    query ConsoleProducts($after: String) {
  productsConnection(first: 20, after: $after) {
    edges {
      cursor
      node {
        id
        name
        price
        currency
        stock
        inStock
        version
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
    `, {"hash":"3181eb5b2ea996ae728393b8cf630a0cc4b8727759c9672377811bc87eaeafd6"}) as unknown as TypedDocumentString<ConsoleProductsQuery, ConsoleProductsQueryVariables>;
export const ConsoleCategoriesDocument = new TypedDocumentString(`
    query ConsoleCategories {
  categories {
    id
    name
    description
    version
  }
}
    `, {"hash":"83a1f4fa8c0ea49dd7cdc60b8f8b043617a00d9121e38b23c76913c14de0d323"}) as unknown as TypedDocumentString<ConsoleCategoriesQuery, ConsoleCategoriesQueryVariables>;
export const ConsoleProductDocument = new TypedDocumentString(`
    query ConsoleProduct($id: ID!) {
  product(id: $id) {
    id
    name
    description
    price
    currency
    stock
    inStock
    version
    updatedAt
    category {
      id
      name
    }
  }
}
    `, {"hash":"10dcd705e299c4b8635ffa4257b4f4cd6975e8f240e101a95e4bd3d66336bb30"}) as unknown as TypedDocumentString<ConsoleProductQuery, ConsoleProductQueryVariables>;
export const ConsoleCreateCategoryDocument = new TypedDocumentString(`
    mutation ConsoleCreateCategory($input: CreateCategoryInput!, $commandId: ID!) {
  createCategory(input: $input, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"2928f127df14ebc3ae8f5764ecd7e37dbf25b4e4f06bad0ea3e3fffccf435f3a"}) as unknown as TypedDocumentString<ConsoleCreateCategoryMutation, ConsoleCreateCategoryMutationVariables>;
export const ConsoleCreateProductDocument = new TypedDocumentString(`
    mutation ConsoleCreateProduct($input: CreateProductInput!, $commandId: ID!) {
  createProduct(input: $input, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"e631a4fc1b9461fbf6fa9a8a835832c15093e07be6a23ff6c3c71339d8cd98f8"}) as unknown as TypedDocumentString<ConsoleCreateProductMutation, ConsoleCreateProductMutationVariables>;
export const ConsoleUpdateProductDocument = new TypedDocumentString(`
    mutation ConsoleUpdateProduct($input: UpdateProductInput!, $commandId: ID!) {
  updateProduct(input: $input, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"c0eb6b1d79cb0c9ef22dc9873404ae06832d0b37a412c2d226550542bca3955b"}) as unknown as TypedDocumentString<ConsoleUpdateProductMutation, ConsoleUpdateProductMutationVariables>;
export const ConsoleChangePriceDocument = new TypedDocumentString(`
    mutation ConsoleChangePrice($input: ChangePriceInput!, $commandId: ID!) {
  changePrice(input: $input, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"7d5f7feb47fddc7513016c639c032f4cda34b2986321c18cadad0ad1ecfa2d5f"}) as unknown as TypedDocumentString<ConsoleChangePriceMutation, ConsoleChangePriceMutationVariables>;
export const ConsoleRestockProductDocument = new TypedDocumentString(`
    mutation ConsoleRestockProduct($input: RestockProductInput!, $commandId: ID!) {
  restockProduct(input: $input, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"19c021b2e671ca5d33c71b98d7ea6e7d5649c3c5d00e62ed95b08111b0c288f1"}) as unknown as TypedDocumentString<ConsoleRestockProductMutation, ConsoleRestockProductMutationVariables>;
export const ConsoleDeleteProductDocument = new TypedDocumentString(`
    mutation ConsoleDeleteProduct($id: ID!, $expectedVersion: Int!, $commandId: ID!) {
  deleteProduct(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"1539a054c442db5dc5902208b0bc6b68fbace2c0676a5f3ce6e00fa5cc6fbf18"}) as unknown as TypedDocumentString<ConsoleDeleteProductMutation, ConsoleDeleteProductMutationVariables>;
export const ConsoleDeleteCategoryDocument = new TypedDocumentString(`
    mutation ConsoleDeleteCategory($id: ID!, $expectedVersion: Int!, $commandId: ID!) {
  deleteCategory(
    id: $id
    expectedVersion: $expectedVersion
    commandId: $commandId
  ) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"634677e54bb175283506a51f39483513fb55bdf71df727ec0d85b35a3b2512c7"}) as unknown as TypedDocumentString<ConsoleDeleteCategoryMutation, ConsoleDeleteCategoryMutationVariables>;
export const ConsoleUpdateCategoryDocument = new TypedDocumentString(`
    mutation ConsoleUpdateCategory($input: UpdateCategoryInput!, $commandId: ID!) {
  updateCategory(input: $input, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"abc6096ad785b44ae8438737ce05354d90b895eca6ccd1f31f14fb7323e4e152"}) as unknown as TypedDocumentString<ConsoleUpdateCategoryMutation, ConsoleUpdateCategoryMutationVariables>;
export const ConsoleAdjustStockDocument = new TypedDocumentString(`
    mutation ConsoleAdjustStock($input: AdjustStockInput!, $commandId: ID!) {
  adjustStock(input: $input, commandId: $commandId) {
    ...ConsoleCommandResult
  }
}
    fragment ConsoleCommandResult on CommandResult {
  commandId
  status
  aggregateId
  version
  error {
    code
    message
    field
  }
}`, {"hash":"84d80969512dcb483ad0571447c613f73fc3cdae264e65dd2edbe900200ea2d4"}) as unknown as TypedDocumentString<ConsoleAdjustStockMutation, ConsoleAdjustStockMutationVariables>;
export const ConsoleAccessDocument = new TypedDocumentString(`
    query ConsoleAccess {
  sagas(first: 1) {
    pageInfo {
      hasNextPage
    }
  }
}
    `, {"hash":"feae29beb6cd19801563a3153491826cc05352b8d6b594e7a5ca11e3b2cdd091"}) as unknown as TypedDocumentString<ConsoleAccessQuery, ConsoleAccessQueryVariables>;
export const ConsoleOrdersDocument = new TypedDocumentString(`
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
    `, {"hash":"868235d3a01a9c8366e5f975875d1f2d4764e67fd75b964cc29ae65e0c955a02"}) as unknown as TypedDocumentString<ConsoleOrdersQuery, ConsoleOrdersQueryVariables>;
export const ConsoleSagaStatsDocument = new TypedDocumentString(`
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
    `, {"hash":"df9c33cd46885613185d5bfd0db3a356b6fd2e7d4d55cb55ecfcc1e1d49c5d90"}) as unknown as TypedDocumentString<ConsoleSagaStatsQuery, ConsoleSagaStatsQueryVariables>;
export const ConsoleSagasDocument = new TypedDocumentString(`
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
    `, {"hash":"548ad65bc57754b1fabc6fbe5a6a83884cdf186b50e0e533dc337ae6bbf33e13"}) as unknown as TypedDocumentString<ConsoleSagasQuery, ConsoleSagasQueryVariables>;
export const ConsoleSagaTimelineDocument = new TypedDocumentString(`
    query ConsoleSagaTimeline($orderId: ID!) {
  saga(orderId: $orderId) {
    ...SagaTimelineFields
  }
}
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
}`, {"hash":"2cfb19f5075e3fbe8b4aba952031ea05110feb8a8a278ae26c567e349526affc"}) as unknown as TypedDocumentString<ConsoleSagaTimelineQuery, ConsoleSagaTimelineQueryVariables>;
export const ConsoleSagaLiveDocument = new TypedDocumentString(`
    subscription ConsoleSagaLive($orderId: ID!) {
  saga(orderId: $orderId) {
    ...SagaTimelineFields
  }
}
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
}`, {"hash":"5d90a1111aabdcf52cccdc88e08a4b00475150c06239a743feacc6e9881aeab9"}) as unknown as TypedDocumentString<ConsoleSagaLiveSubscription, ConsoleSagaLiveSubscriptionVariables>;
export const ConsoleSagaChangesDocument = new TypedDocumentString(`
    subscription ConsoleSagaChanges {
  sagaChanges {
    orderId
    status
    version
  }
}
    `, {"hash":"7debac9b505a1e104af0aced0c931baed8dc8feac79c608af59f772138ce3946"}) as unknown as TypedDocumentString<ConsoleSagaChangesSubscription, ConsoleSagaChangesSubscriptionVariables>;
export const ConsoleTraceDocument = new TypedDocumentString(`
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
    `, {"hash":"0ec837842ff247970990088529eb267aae2f1ecc1b34bc42db1ccf8ec807cfb1"}) as unknown as TypedDocumentString<ConsoleTraceQuery, ConsoleTraceQueryVariables>;
export const ConsoleEventHistoryDocument = new TypedDocumentString(`
    query ConsoleEventHistory($aggregateType: String!, $aggregateId: ID!, $fromVersion: Int!) {
  eventHistory(
    aggregateType: $aggregateType
    aggregateId: $aggregateId
    fromVersion: $fromVersion
    first: 50
  ) {
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
    `, {"hash":"8fc0d3942ba976f14964f01c51a03716f15a68b528b8af7f981d59dc3ce9a403"}) as unknown as TypedDocumentString<ConsoleEventHistoryQuery, ConsoleEventHistoryQueryVariables>;
export const ConsoleDeadLettersDocument = new TypedDocumentString(`
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
    `, {"hash":"a5a086685d868e33862199dd419fe855fdbe263f70ec32c9522dff79fb9005cb"}) as unknown as TypedDocumentString<ConsoleDeadLettersQuery, ConsoleDeadLettersQueryVariables>;
export const ConsoleReplayDeadLettersDocument = new TypedDocumentString(`
    mutation ConsoleReplayDeadLetters($function: String!, $ids: [String!]) {
  replayDeadLetters(function: $function, ids: $ids) {
    function
    messageIds
    missing
    failed
  }
}
    `, {"hash":"74f9c99d8a11d3addf8662140d2c65ad01027a50c3cf5be242d0ef8553dd08bc"}) as unknown as TypedDocumentString<ConsoleReplayDeadLettersMutation, ConsoleReplayDeadLettersMutationVariables>;
export const ConsoleDiscardDeadLettersDocument = new TypedDocumentString(`
    mutation ConsoleDiscardDeadLetters($function: String!, $ids: [String!]!) {
  discardDeadLetters(function: $function, ids: $ids) {
    function
    messageIds
    missing
    failed
  }
}
    `, {"hash":"a65bc4ddfadbf5f6e532d4ab8b18eb11d9ed9fdeae393cdc3aaf6b24c927e80e"}) as unknown as TypedDocumentString<ConsoleDiscardDeadLettersMutation, ConsoleDiscardDeadLettersMutationVariables>;
export const ConsoleProjectionStatusDocument = new TypedDocumentString(`
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
    `, {"hash":"bc6523d7ddde53590038a29e0a5faf8389716e3607b6a356ac53147946ae4575"}) as unknown as TypedDocumentString<ConsoleProjectionStatusQuery, ConsoleProjectionStatusQueryVariables>;
export const ConsoleDeadLetterDepthDocument = new TypedDocumentString(`
    query ConsoleDeadLetterDepth($function: String!) {
  deadLetters(function: $function, first: 100) {
    messageId
  }
}
    `, {"hash":"c72eef1b6a1abc57c88c7ee26d0c3c92b2dccf522e9e6cd97887f40882bfa717"}) as unknown as TypedDocumentString<ConsoleDeadLetterDepthQuery, ConsoleDeadLetterDepthQueryVariables>;
export const ConsoleIntegrityReportDocument = new TypedDocumentString(`
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
    `, {"hash":"17f1045a396351b6e8aa4d83d33f106748733c66be7e7974276853335ccb4f7d"}) as unknown as TypedDocumentString<ConsoleIntegrityReportQuery, ConsoleIntegrityReportQueryVariables>;
export const PlaceOrderDocument = new TypedDocumentString(`
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
    `, {"hash":"b1c8307115dc5caa1467de4579f1548af687dc0cc44939aad597d9cc3fc2a098"}) as unknown as TypedDocumentString<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const CheckoutCommandDocument = new TypedDocumentString(`
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
    `, {"hash":"4b94058e32abe0d67ac0d6de9560f2708e421235f2c881eac60062eb4ca9ed8e"}) as unknown as TypedDocumentString<CheckoutCommandQuery, CheckoutCommandQueryVariables>;
export const OrderProgressDocument = new TypedDocumentString(`
    query OrderProgress($id: ID!) {
  order(id: $id) {
    ...OrderProgressFields
  }
}
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
}`, {"hash":"cc185e749f50f7660afe96c3ec80d343ce82beecb0f409d748c626f8c35f03f5"}) as unknown as TypedDocumentString<OrderProgressQuery, OrderProgressQueryVariables>;
export const OrderLiveDocument = new TypedDocumentString(`
    subscription OrderLive($id: ID!) {
  order(id: $id) {
    ...OrderProgressFields
  }
}
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
}`, {"hash":"38c72803ca069db9f076d1ba0326c0d78e0da8a210aa9c22427ddc5f39464d1a"}) as unknown as TypedDocumentString<OrderLiveSubscription, OrderLiveSubscriptionVariables>;
export const OrderLineProductDocument = new TypedDocumentString(`
    query OrderLineProduct($id: ID!) {
  product(id: $id) {
    id
    name
    price
    currency
  }
}
    `, {"hash":"cc36bb5199851e98271b4936810df7ba32be5148a9972c4ea4cbc7ddce33e820"}) as unknown as TypedDocumentString<OrderLineProductQuery, OrderLineProductQueryVariables>;
export const MyOrdersDocument = new TypedDocumentString(`
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
    `, {"hash":"add26ab656d14e614e75c9d6f1bf4198ad78fbc2a80a5104a101c4693c3f15c0"}) as unknown as TypedDocumentString<MyOrdersQuery, MyOrdersQueryVariables>;
export const CancelOrderDocument = new TypedDocumentString(`
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
    `, {"hash":"3bf7a3bbd28d93b3f4db26c6501096e2f6324d7c964bb6109329ea87fd411895"}) as unknown as TypedDocumentString<CancelOrderMutation, CancelOrderMutationVariables>;