// Typed documents from the API's SDL and the views' .graphql files. Runs first in `npm run
// build`: a document that no longer matches the schema fails the build, not the user.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../api/schema.graphql",
  documents: ["src/views/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents as plain strings: no graphql-js printer in the bundle.
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        scalars: { Date: "string", DateTime: "string" },
      },
    },
  },
};

export default config;
