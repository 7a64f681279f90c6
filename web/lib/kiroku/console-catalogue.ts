// The catalogue editor's operations: the catalogue as an admin edits it (each record with the version
// it reflects, sent back as `expectedVersion` so a change made against an older view is refused with
// CONFLICT / STALE_VERSION instead of overwriting), and the catalogue commands.
import { graphql } from "@/src/gql";

// Page sizes are written in the documents: the API prices a variable page size at the largest page.
export const ConsoleProductsQuery = graphql(`
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
`);

export const ConsoleCategoriesQuery = graphql(`
  query ConsoleCategories {
    categories {
      id
      name
      description
      version
    }
  }
`);

export const ConsoleProductQuery = graphql(`
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
`);

// What every console command answers: its id, whether it was decided, the record and version it made,
// and why it was refused.
export const ConsoleCommandResultFragment = graphql(`
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
`);

export const CreateCategoryMutation = graphql(`
  mutation ConsoleCreateCategory($input: CreateCategoryInput!, $commandId: ID!) {
    createCategory(input: $input, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const CreateProductMutation = graphql(`
  mutation ConsoleCreateProduct($input: CreateProductInput!, $commandId: ID!) {
    createProduct(input: $input, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const UpdateProductMutation = graphql(`
  mutation ConsoleUpdateProduct($input: UpdateProductInput!, $commandId: ID!) {
    updateProduct(input: $input, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const ChangePriceMutation = graphql(`
  mutation ConsoleChangePrice($input: ChangePriceInput!, $commandId: ID!) {
    changePrice(input: $input, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const RestockProductMutation = graphql(`
  mutation ConsoleRestockProduct($input: RestockProductInput!, $commandId: ID!) {
    restockProduct(input: $input, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const DeleteProductMutation = graphql(`
  mutation ConsoleDeleteProduct($id: ID!, $expectedVersion: Int!, $commandId: ID!) {
    deleteProduct(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const DeleteCategoryMutation = graphql(`
  mutation ConsoleDeleteCategory($id: ID!, $expectedVersion: Int!, $commandId: ID!) {
    deleteCategory(id: $id, expectedVersion: $expectedVersion, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const UpdateCategoryMutation = graphql(`
  mutation ConsoleUpdateCategory($input: UpdateCategoryInput!, $commandId: ID!) {
    updateCategory(input: $input, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);

export const AdjustStockMutation = graphql(`
  mutation ConsoleAdjustStock($input: AdjustStockInput!, $commandId: ID!) {
    adjustStock(input: $input, commandId: $commandId) {
      ...ConsoleCommandResult
    }
  }
`);
