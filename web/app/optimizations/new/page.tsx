"use client";

import { Suspense } from "react";

import { Loading } from "@/components/feedback";
import { OptimizationForm } from "@/components/optimizations/optimization-form";

// The form reads ?prompt= and ?dataset= to start preselected.
export default function NewOptimizationPage() {
  return (
    <Suspense fallback={<Loading />}>
      <OptimizationForm />
    </Suspense>
  );
}
