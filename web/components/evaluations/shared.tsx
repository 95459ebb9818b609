"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { api } from "@/lib/api";
import type { Evaluation, EvaluationStatus, PromptRef } from "@/lib/types/evaluations";

export const EVALUATIONS_KEY = ["evaluations"] as const;
export const evaluationKey = (id: string) => ["evaluations", id] as const;
export const resultsKey = (id: string) => ["evaluations", id, "results"] as const;

export const ACTIVE_STATUSES: EvaluationStatus[] = ["pending", "running"];
export const isActive = (evaluation: Pick<Evaluation, "status">) => ACTIVE_STATUSES.includes(evaluation.status);

export const shortId = (id: string) => id.slice(0, 8);

/** An evaluation records only its prompt's id: the name comes from /prompts (deleted ones too). */
export function usePromptRef(promptId: string) {
  return useQuery({
    queryKey: ["evaluations", "prompt-ref", promptId],
    queryFn: () => api.get<PromptRef>(`/prompts/${promptId}`, { include_deleted: true }),
    staleTime: 60_000,
  });
}

export function PromptLabel({ promptId, version }: { promptId: string; version: number }) {
  const prompt = usePromptRef(promptId);
  return (
    <Link href={`/prompts/view/?id=${promptId}`} className="underline-offset-2 hover:underline">
      {prompt.data?.name ?? shortId(promptId)} <span className="text-slate-500">v{version}</span>
    </Link>
  );
}

/** The dataset's id and name are frozen into the evaluation's config when it starts. */
export function DatasetLabel({ evaluation }: { evaluation: Evaluation }) {
  const { dataset_id: id, dataset_name: name } = evaluation.config;
  if (!id) return <span>{name ?? "—"}</span>;
  return (
    <Link href={`/datasets/view/?id=${id}`} className="underline-offset-2 hover:underline">
      {name ?? shortId(id)}
    </Link>
  );
}

/** Navigation that looks like the primary button. */
export function LinkButton({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <Link
      href={href}
      className="inline-flex h-9 items-center rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-800"
    >
      {children}
    </Link>
  );
}

export function PassBadge({ passed }: { passed: boolean }) {
  return <Badge tone={passed ? "green" : "red"}>{passed ? "pass" : "fail"}</Badge>;
}
