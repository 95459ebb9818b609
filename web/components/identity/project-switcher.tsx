"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";

import { Select } from "@/components/ui/input";
import { api } from "@/lib/api";
import { chooseProject } from "@/lib/project";
import type { Project } from "@/lib/types/identity";

import { useMe } from "./me";

/** The sidebar's project switcher, who you are, and sign-out when you signed in. */
export function ProjectSwitcher() {
  const queryClient = useQueryClient();
  const me = useMe();
  const projects = useQuery({
    queryKey: ["projects"],
    queryFn: () => api.get<Project[]>("/projects"),
    enabled: me.isSuccess,
  });
  const signOut = useMutation({
    mutationFn: () => api.delete("/session"),
    onSuccess: () => {
      chooseProject(null);
      queryClient.clear();
      window.location.assign("/");
    },
  });
  if (!me.data) return null;
  return (
    <div className="mt-6 space-y-2 px-3 text-xs text-slate-400">
      <label htmlFor="project" className="block uppercase">
        Project
      </label>
      <Select
        id="project"
        className="h-8 border-slate-700 bg-slate-800 text-slate-100"
        value={me.data.project_id}
        onChange={(e) => {
          chooseProject(e.target.value);
          // Every cached answer belonged to the other project.
          queryClient.clear();
          window.location.assign("/");
        }}
        disabled={!projects.data || me.data.via === "api_key"}
      >
        {(projects.data ?? [{ id: me.data.project_id, name: me.data.project_id }]).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Select>
      <p data-testid="who">
        {me.data.via === "api_key" ? "API key" : me.data.via === "clerk" ? "signed in" : "local owner"} ·{" "}
        {me.data.role}
      </p>
      <Link href="/settings/projects/" className="block hover:text-slate-200">
        Projects, keys, members
      </Link>
      {me.data.via !== "local" && (
        <button type="button" className="hover:text-slate-200" onClick={() => signOut.mutate()}>
          Sign out
        </button>
      )}
    </div>
  );
}
