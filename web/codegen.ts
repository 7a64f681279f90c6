// GraphQL Code Generator: types every operation the app sends from the backend's schema.graphql, as
// string documents (no GraphQL client runtime), and writes the trusted documents' manifest
// (src/gql/persisted-documents.json, sha256 -> document) the GraphQL function runs in production.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["app/**/*.{ts,tsx}", "lib/**/*.{ts,tsx}"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      config: { documentMode: "string", useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: "string" } },
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
    },
  },
};

export default config;
