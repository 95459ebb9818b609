"use client";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";

// Bundled from npm, fonts inlined in its stylesheet: nothing comes from a CDN.
// Same origin, so the browser sends the sign-in and project cookies; the CSRF header is the
// one every write from this UI carries (lib/api.ts), and a GraphQL request is a POST.
const fetcher = createGraphiQLFetcher({ url: "/graphql", headers: { "x-autoforge-csrf": "1" } });

// Field names follow the server's schema (src/autoforge/graphql/types.py), introspected at run time.
const DEFAULT_QUERY = `# Your prompts, newest first, with their
# versions and labels. Ctrl+Enter runs it.
query PromptsWithVersions {
  prompts(limit: 10) {
    items {
      name
      title
      status
      labels {
        name
        version
      }
      versions(limit: 5) {
        version
        changeNote
        createdAt
        labels
      }
    }
    nextCursor
  }
}
`;

export function GraphQLExplorer() {
  return (
    <div className="h-[calc(100vh-11rem)] min-h-[32rem] overflow-hidden rounded-lg border border-slate-300" data-testid="graphiql">
      <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} forcedTheme="light" />
    </div>
  );
}
