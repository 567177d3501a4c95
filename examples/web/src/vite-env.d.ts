/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where to send GraphQL requests; default /graphql on the page's origin. */
  readonly VITE_GRAPHQL_URL?: string;
}
