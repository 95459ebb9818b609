"use client";

import { useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api";
import type { Me, SignInOptions } from "@/lib/types/identity";

export const ME_KEY = ["me"] as const;

/** Who the browser acts as: `/me`, or an ApiError 401 when the server wants credentials. */
export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: () => api.get<Me>("/me"), staleTime: 30_000 });
}

export function useSignInOptions() {
  return useQuery({ queryKey: ["session"], queryFn: () => api.get<SignInOptions>("/session") });
}
