"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { ApiError } from "@/lib/api";

import { LabelsPanel } from "./labels-panel";
import { PromptEditor } from "./prompt-editor";
import { PromptHeader } from "./prompt-header";
import { usePrompt } from "./queries";
import { RunPanel } from "./run-panel";
import { SimilarPanel } from "./similar-panel";
import { VersionDiff } from "./version-diff";
import { VersionHistory } from "./version-history";

function BackToList({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <EmptyState title={title}>
      {children}{" "}
      <Link href="/prompts/" className="underline">
        Back to the prompts
      </Link>
    </EmptyState>
  );
}

/** One prompt: lifecycle, editing, history and diffs, labels, and a test run. */
export function PromptView() {
  const id = useSearchParams().get("id") ?? "";
  const prompt = usePrompt(id);

  if (id === "") return <BackToList title="No prompt chosen">Open a prompt from the list.</BackToList>;
  if (prompt.isPending) return <Loading what="Loading the prompt" />;
  if (prompt.error) {
    return prompt.error instanceof ApiError && prompt.error.status === 404 ? (
      <BackToList title="This prompt does not exist">It may have been deleted for good.</BackToList>
    ) : (
      <ErrorMessage error={prompt.error} />
    );
  }
  const data = prompt.data;
  return (
    <>
      <PromptHeader prompt={data} />
      {data.deleted_at === null && (
        <div className="grid grid-cols-1 gap-6 xl:grid-cols-3">
          <div className="min-w-0 space-y-6 xl:col-span-2">
            {/* Keyed by prompt: the editor's draft belongs to one prompt only. */}
            <PromptEditor key={data.id} prompt={data} />
            <VersionDiff key={`diff-${data.id}`} prompt={data} />
          </div>
          <div className="min-w-0 space-y-6">
            <RunPanel key={`run-${data.id}`} prompt={data} />
            <LabelsPanel prompt={data} />
            <SimilarPanel prompt={data} />
            <VersionHistory prompt={data} />
          </div>
        </div>
      )}
    </>
  );
}
