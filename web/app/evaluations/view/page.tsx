"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { EvaluationView } from "@/components/evaluations/evaluation-view";
import { ErrorMessage, Loading } from "@/components/feedback";

function EvaluationFromQuery() {
  const id = useSearchParams().get("id");
  if (!id) return <ErrorMessage error="No evaluation given: open one from the Evaluations page." />;
  return <EvaluationView key={id} id={id} />;
}

export default function EvaluationViewPage() {
  return (
    <Suspense fallback={<Loading />}>
      <EvaluationFromQuery />
    </Suspense>
  );
}
