"use client";

import { useQueries } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { Prompt } from "@/lib/types/prompts";

/** Prompt names by id: an optimization only records its prompt's id. Deleted prompts are
 *  asked for too, so an old optimization still shows what it optimized. */
export function usePromptNames(promptIds: string[]): Map<string, string> {
  const unique = [...new Set(promptIds)];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: ["prompt", id, "include-deleted"],
      queryFn: () => api.get<Prompt>(`/prompts/${encodeURIComponent(id)}`, { include_deleted: true }),
      staleTime: 60_000,
    })),
  });
  const names = new Map<string, string>();
  results.forEach((result, i) => {
    if (result.data) names.set(unique[i], result.data.name);
  });
  return names;
}
