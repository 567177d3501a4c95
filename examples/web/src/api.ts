// A small GraphQL client over fetch. It returns the whole response (data,
// errors and extensions) instead of throwing on the first error, because a
// dashboard is still worth drawing when one of its charts failed.
import type { TypedDocumentString } from "./generated/graphql";
import type { ErrorCode } from "./generated/schema";

/** Where the page sends GraphQL requests: the same origin as the page. */
export const GRAPHQL_URL: string = import.meta.env.VITE_GRAPHQL_URL ?? "/graphql";

export interface GraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: ErrorCode | string; retryAfter?: number };
}

/** extensions.cost: what the request cost the server. */
export interface RequestCost {
  dbQueries: number;
  redisRoundTrips: number;
  cacheHits: number;
  cacheMisses: number;
}

export interface GraphQLResult<T> {
  data: T | null;
  errors: GraphQLError[];
  cost: RequestCost | null;
  status: number;
  /** The server's X-Request-Id, to quote when reporting a problem. */
  requestId: string | null;
  /** Wall time of the request as the page saw it. */
  ms: number;
}

/** A request that did not get a GraphQL response at all. */
export class TransportError extends Error {}

export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  token: string | null,
): Promise<GraphQLResult<TResult>> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(GRAPHQL_URL, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch (err) {
    throw new TransportError(`The API at ${GRAPHQL_URL} did not answer (${String(err)}).`);
  }
  const text = await res.text();
  const ms = performance.now() - started;
  let body: {
    data?: TResult | null;
    errors?: GraphQLError[];
    extensions?: { cost?: RequestCost };
  };
  try {
    body = JSON.parse(text);
  } catch {
    throw new TransportError(`The API answered HTTP ${res.status} without a GraphQL response.`);
  }
  return {
    data: body.data ?? null,
    errors: body.errors ?? [],
    cost: body.extensions?.cost ?? null,
    status: res.status,
    requestId: res.headers.get("X-Request-Id"),
    ms,
  };
}

/** The errors whose path is exactly `prefix` followed by anything. */
export function errorsUnder(errors: GraphQLError[], prefix: ReadonlyArray<string | number>): GraphQLError[] {
  return errors.filter(
    (e) => e.path !== undefined && e.path.length >= prefix.length && prefix.every((p, i) => e.path![i] === p),
  );
}

export function describe(e: GraphQLError): string {
  const code = e.extensions?.code;
  return code ? `${e.message} (${code})` : e.message;
}
