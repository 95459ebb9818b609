"use client";

import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type {
  ModelInfo,
  Prompt,
  PromptPage,
  PromptStatus,
  PromptVersion,
  TemplatePage,
  VersionPage,
} from "@/lib/types/prompts";

export type PromptFilters = {
  q?: string;
  status?: PromptStatus | "";
  tag?: string;
  label?: string;
  include_deleted?: boolean;
};

// Everything about prompts lives under ["prompts"], so one invalidation after a change
// refreshes the list, the prompt, its versions and its labels together.
export const promptKeys = {
  all: ["prompts"] as const,
  list: (filters: PromptFilters) => ["prompts", "list", filters] as const,
  one: (id: string) => ["prompts", id] as const,
  versions: (id: string) => ["prompts", id, "versions"] as const,
  version: (id: string, version: number) => ["prompts", id, "version", version] as const,
};

export function usePromptList(filters: PromptFilters) {
  return useInfiniteQuery({
    queryKey: promptKeys.list(filters),
    queryFn: ({ pageParam }) =>
      api.get<PromptPage>("/prompts", { ...filters, cursor: pageParam, limit: 20 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // While a new filter loads, the old rows stay instead of a flash of "Loading".
    placeholderData: keepPreviousData,
  });
}

/** Deleted prompts are fetched too, so their page can offer "Restore". */
export function usePrompt(id: string) {
  return useQuery({
    queryKey: promptKeys.one(id),
    queryFn: () => api.get<Prompt>(`/prompts/${encodeURIComponent(id)}`, { include_deleted: true }),
    enabled: id !== "",
  });
}

export function useVersions(id: string) {
  return useInfiniteQuery({
    queryKey: promptKeys.versions(id),
    queryFn: ({ pageParam }) =>
      api.get<VersionPage>(`/prompts/${encodeURIComponent(id)}/versions`, { before: pageParam, limit: 20 }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
  });
}

/** A version's text never changes once written, so it is fetched once. */
export function useVersion(id: string, version: number | null) {
  return useQuery({
    queryKey: promptKeys.version(id, version ?? 0),
    queryFn: () => api.get<PromptVersion>(`/prompts/${encodeURIComponent(id)}/versions/${version}`),
    enabled: version !== null,
    staleTime: Infinity,
  });
}

export function useModels() {
  return useQuery({ queryKey: ["models"], queryFn: () => api.get<ModelInfo[]>("/models") });
}

export function useTemplates() {
  return useQuery({
    queryKey: ["templates", "picker"],
    queryFn: () => api.get<TemplatePage>("/templates", { limit: 100 }),
  });
}

export function useRefreshPrompts() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: promptKeys.all });
}

/**
 * After a delete or restore only the prompt and the lists change. Refreshing its versions
 * too would ask for those of a deleted prompt (a 404) while their panels close.
 */
export function useRefreshPromptOnly() {
  const client = useQueryClient();
  return (id: string) =>
    Promise.all([
      client.invalidateQueries({ queryKey: promptKeys.one(id), exact: true }),
      client.invalidateQueries({ queryKey: ["prompts", "list"] }),
    ]);
}
