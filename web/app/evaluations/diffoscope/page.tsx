"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { DiffoscopeView } from "@/components/evaluations/diffoscope-view";
import { ErrorMessage, Loading } from "@/components/feedback";

function DiffoscopeFromQuery() {
  const id = useSearchParams().get("id");
  if (!id) return <ErrorMessage error="No evaluation given: open the diffoscope from an evaluation's page." />;
  return <DiffoscopeView key={id} id={id} />;
}

export default function DiffoscopePage() {
  return (
    <Suspense fallback={<Loading />}>
      <DiffoscopeFromQuery />
    </Suspense>
  );
}
