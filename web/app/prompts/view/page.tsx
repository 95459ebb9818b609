"use client";

import { Suspense } from "react";

import { Loading } from "@/components/feedback";
import { PromptView } from "@/components/prompts/prompt-view";

export default function PromptViewPage() {
  // useSearchParams needs a Suspense boundary in a static export.
  return (
    <Suspense fallback={<Loading what="Loading the prompt" />}>
      <PromptView />
    </Suspense>
  );
}
