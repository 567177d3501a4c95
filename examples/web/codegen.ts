// graphql-codegen, from ../../schema.graphqls and src/operations.graphql:
//   src/generated/schema.ts   every schema type (the typescript plugin)
//   src/generated/graphql.ts  each operation's result and variables types
//                             (typescript-operations) and its document as a
//                             typed string (typed-document-node)
// `npm run codegen` writes them; `npm run build` runs it first.
import type { CodegenConfig } from "@graphql-codegen/cli";

const common = {
  enumsAsTypes: true,
  useTypeImports: true,
  strictScalars: true,
  scalars: { Date: "string", Time: "string" },
  skipTypename: true,
};

const config: CodegenConfig = {
  schema: "../../schema.graphqls",
  documents: "src/**/*.graphql",
  overwrite: true,
  generates: {
    "src/generated/schema.ts": {
      plugins: ["typescript"],
      config: common,
    },
    "src/generated/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        ...common,
        importSchemaTypesFrom: "./src/generated/schema.ts",
        // Send documents as plain strings: no graphql-js in the bundle.
        documentMode: "string",
      },
    },
  },
};

export default config;
