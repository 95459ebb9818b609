"use client";

import { OptimizationList } from "@/components/optimizations/optimization-list";

export default function OptimizationsPage() {
  return <OptimizationList />;
}
