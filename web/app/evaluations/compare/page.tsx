"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { ComparisonView } from "@/components/evaluations/comparison-view";
import { EmptyState, Loading, PageTitle } from "@/components/feedback";

function ComparisonFromQuery() {
  const query = useSearchParams();
  const a = query.get("a");
  const b = query.get("b");
  if (!a || !b) {
    return (
      <>
        <PageTitle>Compare evaluations</PageTitle>
        <EmptyState title="Pick two evaluations to compare">
          On the <Link href="/evaluations/" className="underline">Evaluations</Link> page, tick two completed evaluations and
          press Compare.
        </EmptyState>
      </>
    );
  }
  return <ComparisonView key={`${a}:${b}`} a={a} b={b} />;
}

export default function ComparePage() {
  return (
    <Suspense fallback={<Loading />}>
      <ComparisonFromQuery />
    </Suspense>
  );
}
