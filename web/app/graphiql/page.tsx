"use client";

import dynamic from "next/dynamic";

import { PageTitle } from "@/components/feedback";

// GraphiQL (CodeMirror, its styles and fonts) is most of this page's weight: only this page loads it.
const GraphQLExplorer = dynamic(
  () => import("@/components/graphiql/graphql-explorer").then((m) => m.GraphQLExplorer),
  { ssr: false, loading: () => <div className="h-[70vh] animate-pulse rounded-lg bg-slate-100" /> },
);

export default function GraphQLPage() {
  return (
    <div className="space-y-4">
      <PageTitle>GraphQL</PageTitle>
      <p className="text-sm text-slate-600">
        Queries go to <code>/graphql</code> as you, in the project you work in. Ctrl+Enter runs the query; the
        book icon shows the schema.
      </p>
      <GraphQLExplorer />
    </div>
  );
}
