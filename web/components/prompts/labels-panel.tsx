"use client";

import { useMutation } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useState } from "react";

import { ErrorMessage } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { api } from "@/lib/api";
import type { Prompt, PromptLabel } from "@/lib/types/prompts";

import { useRefreshPrompts } from "./queries";
import { VersionSelect } from "./version-select";

function CurrentLabels({ labels, onRemove, pending }: {
  labels: Record<string, number>;
  onRemove: (label: string) => void;
  pending: boolean;
}) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) {
    return <p className="text-sm text-slate-500">No labels yet. Applications load a labelled version by name, e.g. production.</p>;
  }
  return (
    <ul className="space-y-1" aria-label="labels">
      {entries.map(([label, version]) => (
        <li key={label} className="flex items-center justify-between gap-2 text-sm">
          <span>
            <Badge tone="blue">{label}</Badge> → v{version}
          </span>
          <Button size="sm" variant="ghost" aria-label={`Remove label ${label}`} onClick={() => onRemove(label)} disabled={pending}>
            <X className="h-4 w-4" />
          </Button>
        </li>
      ))}
    </ul>
  );
}

/** Labels (production, staging, ...) point at one version each; setting one moves it. */
export function LabelsPanel({ prompt }: { prompt: Prompt }) {
  const refresh = useRefreshPrompts();
  const [label, setLabel] = useState("production");
  const [version, setVersion] = useState<number | null>(null); // null = the latest
  const target = Math.min(version ?? prompt.version, prompt.version);
  const path = (name: string) => `/prompts/${encodeURIComponent(prompt.id)}/labels/${encodeURIComponent(name)}`;

  const assign = useMutation({
    mutationFn: () => api.put<PromptLabel>(path(label.trim()), { version: target }),
    onSuccess: () => refresh(),
  });
  const remove = useMutation({
    mutationFn: (name: string) => api.delete(path(name)),
    onSuccess: () => {
      assign.reset(); // its "now points at" note may be about the removed label
      return refresh();
    },
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Labels</CardTitle>
      </CardHeader>
      <CardContent className="space-y-4">
        <CurrentLabels labels={prompt.labels} onRemove={(name) => remove.mutate(name)} pending={remove.isPending} />
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            assign.mutate();
          }}
        >
          <div className="grid grid-cols-2 gap-3">
            <div>
              <Label htmlFor="label-name">Label</Label>
              <Input id="label-name" value={label} onChange={(e) => setLabel(e.target.value)} />
            </div>
            <VersionSelect id="label-version" label="Target version" latest={prompt.version} value={target} onChange={setVersion} />
          </div>
          <ErrorMessage error={assign.error ?? remove.error} />
          <Button type="submit" disabled={label.trim() === "" || assign.isPending}>
            Set label
          </Button>
          {assign.isSuccess && (
            <p role="status" className="text-sm text-green-700">
              {assign.data.label} now points at version {assign.data.version}.
            </p>
          )}
        </form>
      </CardContent>
    </Card>
  );
}
