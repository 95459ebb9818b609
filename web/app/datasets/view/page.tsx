"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { DatasetView } from "@/components/datasets/dataset-view";
import { ErrorMessage, Loading } from "@/components/feedback";

function DatasetFromQuery() {
  const id = useSearchParams().get("id");
  if (!id) return <ErrorMessage error="No dataset given: open one from the Datasets page." />;
  return <DatasetView key={id} id={id} />;
}

export default function DatasetViewPage() {
  return (
    <Suspense fallback={<Loading />}>
      <DatasetFromQuery />
    </Suspense>
  );
}
