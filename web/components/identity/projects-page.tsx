"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import { chooseProject } from "@/lib/project";
import { allows, type Project } from "@/lib/types/identity";

import { useMe } from "./me";
import { SettingsTabs } from "./settings-tabs";

/** The organization's projects you may open; admins create new ones. */
export function ProjectsPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => api.get<Project[]>("/projects") });
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => api.post<Project>("/projects", { name }),
    onSuccess: () => {
      setName("");
      return queryClient.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  function open(id: string) {
    chooseProject(id);
    queryClient.clear();
    window.location.assign("/prompts/");
  }
  return (
    <div className="space-y-6">
      <PageTitle>Projects</PageTitle>
      <SettingsTabs />
      {allows(me.data?.role, "admin") && me.data?.via !== "api_key" && (
        <Card>
          <CardHeader>
            <CardTitle>New project</CardTitle>
          </CardHeader>
          <CardContent>
            <form
              className="flex items-end gap-3"
              onSubmit={(event) => {
                event.preventDefault();
                create.mutate();
              }}
            >
              <div className="flex-1">
                <Label htmlFor="project-name">Name</Label>
                <Input id="project-name" value={name} onChange={(e) => setName(e.target.value)} required />
              </div>
              <Button type="submit" disabled={create.isPending}>
                Create project
              </Button>
            </form>
            <div className="mt-3">
              <ErrorMessage error={create.error} />
            </div>
          </CardContent>
        </Card>
      )}
      {projects.isPending ? (
        <Loading what="Loading projects" />
      ) : projects.error ? (
        <ErrorMessage error={projects.error} />
      ) : (
        <Table aria-label="Projects">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Your role</Th>
              <Th>Created</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {projects.data.map((p) => (
              <tr key={p.id}>
                <Td>
                  {p.name} {p.id === me.data?.project_id && <span className="text-xs text-slate-500">(current)</span>}
                </Td>
                <Td>{p.role}</Td>
                <Td>{new Date(p.created_at).toLocaleString()}</Td>
                <Td>
                  {p.id !== me.data?.project_id && (
                    <Button variant="outline" size="sm" onClick={() => open(p.id)} aria-label={`Open ${p.name}`}>
                      Open
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
