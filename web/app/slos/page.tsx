"use client";

import { PageTitle } from "@/components/feedback";
import { SLOList } from "@/components/slos/slo-list";

export default function SLOsPage() {
  return (
    <div className="space-y-6">
      <PageTitle>SLOs</PageTitle>
      <SLOList />
    </div>
  );
}
