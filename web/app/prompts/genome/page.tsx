"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { ErrorMessage, Loading } from "@/components/feedback";
import { GenomeView } from "@/components/prompts/genome-view";

function GenomeFromQuery() {
  const id = useSearchParams().get("id");
  if (!id) return <ErrorMessage error="No prompt given: open the style genome from a prompt's page." />;
  return <GenomeView key={id} id={id} />;
}

export default function GenomePage() {
  return (
    <Suspense fallback={<Loading />}>
      <GenomeFromQuery />
    </Suspense>
  );
}
