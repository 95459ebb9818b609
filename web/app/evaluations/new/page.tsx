"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { NewEvaluationForm } from "@/components/evaluations/new-evaluation-form";
import { Loading, PageTitle } from "@/components/feedback";

/** `?prompt=ID&dataset=ID` preselect them (links from a prompt or a dataset page). */
function FormFromQuery() {
  const query = useSearchParams();
  return <NewEvaluationForm initialPromptId={query.get("prompt") ?? undefined} initialDatasetId={query.get("dataset") ?? undefined} />;
}

export default function NewEvaluationPage() {
  return (
    <div>
      <PageTitle>New evaluation</PageTitle>
      <Suspense fallback={<Loading />}>
        <FormFromQuery />
      </Suspense>
    </div>
  );
}
