"use client";

import Link from "next/link";

import { PromptfooImportForm } from "@/components/datasets/promptfoo-import";
import { PageTitle } from "@/components/feedback";

export default function ImportPromptfooPage() {
  return (
    <div className="space-y-6">
      <PageTitle
        actions={
          <Link href="/datasets/" className="text-sm underline">
            Back to datasets
          </Link>
        }
      >
        Import a promptfoo config
      </PageTitle>
      <PromptfooImportForm />
    </div>
  );
}
