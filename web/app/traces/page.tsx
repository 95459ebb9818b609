"use client";

import { PageTitle } from "@/components/feedback";
import { TraceList } from "@/components/traces/trace-list";

export default function TracesPage() {
  return (
    <div className="space-y-6">
      <PageTitle>Traces</PageTitle>
      <TraceList />
    </div>
  );
}
