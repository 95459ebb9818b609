"use client";

import { DatasetList } from "@/components/datasets/dataset-list";
import { ImportPanel } from "@/components/datasets/import-panel";
import { LinkButton } from "@/components/evaluations/shared";
import { PageTitle } from "@/components/feedback";

export default function DatasetsPage() {
  return (
    <div className="space-y-6">
      <PageTitle actions={<LinkButton href="/datasets/import-promptfoo/">Import a promptfoo config</LinkButton>}>Datasets</PageTitle>
      <DatasetList />
      <ImportPanel />
    </div>
  );
}
