"use client";

import { Suspense } from "react";

import { Loading } from "@/components/feedback";
import { OptimizationView } from "@/components/optimizations/optimization-view";

// One optimization, by ?id= (a static export has no dynamic segments).
export default function OptimizationViewPage() {
  return (
    <Suspense fallback={<Loading />}>
      <OptimizationView />
    </Suspense>
  );
}
