"use client";

import { EvaluationList } from "@/components/evaluations/evaluation-list";
import { LinkButton } from "@/components/evaluations/shared";
import { PageTitle } from "@/components/feedback";

export default function EvaluationsPage() {
  return (
    <div className="space-y-6">
      <PageTitle actions={<LinkButton href="/evaluations/new/">New evaluation</LinkButton>}>Evaluations</PageTitle>
      <EvaluationList />
    </div>
  );
}
