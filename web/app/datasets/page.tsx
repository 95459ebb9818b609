"use client";

import { DatasetList } from "@/components/datasets/dataset-list";
import { ImportPanel } from "@/components/datasets/import-panel";
import { PageTitle } from "@/components/feedback";

export default function DatasetsPage() {
  return (
    <div className="space-y-6">
      <PageTitle>Datasets</PageTitle>
      <DatasetList />
      <ImportPanel />
    </div>
  );
}
