"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { ErrorMessage } from "@/components/feedback";
import { TemplateEditor } from "@/components/monaco";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { api, ApiError } from "@/lib/api";
import type { Prompt, PromptUpdate } from "@/lib/types/prompts";

import { useRefreshPrompts } from "./queries";

type Base = { version: number; title: string; content: string };

const baseOf = (p: Prompt): Base => ({ version: p.version, title: p.title, content: p.content });

/** The version the server holds now, when a save was refused because it moved on. */
function staleVersion(error: unknown): number | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const current = error.problem.current_version;
  return typeof current === "number" ? current : null;
}

function StaleNotice({ based, current, onOverwrite, onDiscard, pending }: {
  based: number;
  current: number;
  onOverwrite: () => void;
  onDiscard: () => void;
  pending: boolean;
}) {
  return (
    <div role="alert" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <p>
        Not saved: this prompt is now at version {current}, but your edit started from version {based}. Someone (or
        another tab) saved in between. Your text is still in the editor.
      </p>
      <div className="flex flex-wrap gap-2">
        <Button size="sm" onClick={onOverwrite} disabled={pending}>
          Save mine as version {current + 1}
        </Button>
        <Button size="sm" variant="outline" onClick={onDiscard} disabled={pending}>
          Discard mine and load version {current}
        </Button>
      </div>
    </div>
  );
}

/**
 * Edits the title and content. Every save names the version it started from, so an edit
 * made elsewhere in the meantime is never silently overwritten (the API answers 409).
 */
export function PromptEditor({ prompt }: { prompt: Prompt }) {
  const refresh = useRefreshPrompts();
  const [base, setBase] = useState<Base>(() => baseOf(prompt));
  const [title, setTitle] = useState(prompt.title);
  const [content, setContent] = useState(prompt.content);
  const [note, setNote] = useState("");
  const dirty = title !== base.title || content !== base.content;

  // Untouched text follows the server to a newer version (after a rollback, say); edited
  // text is never replaced. Versions only grow, and the cache may briefly lag a save.
  if (!dirty && prompt.version > base.version) {
    setBase(baseOf(prompt));
    setTitle(prompt.title);
    setContent(prompt.content);
  }

  const save = useMutation({
    mutationFn: (basedOn: number) => {
      // Both go every time: the server makes a version only if one differs from what it holds.
      const body: PromptUpdate = { base_version: basedOn, title, content };
      if (note.trim()) body.change_note = note.trim();
      return api.patch<Prompt>(`/prompts/${encodeURIComponent(prompt.id)}`, body);
    },
    onSuccess: (saved) => {
      setBase(baseOf(saved));
      setTitle(saved.title);
      setContent(saved.content);
      setNote("");
      return refresh();
    },
    onError: (error) => {
      // Fetch the version that won, so "Discard mine" loads it.
      if (staleVersion(error) !== null) return refresh();
    },
  });
  const stale = staleVersion(save.error);

  const discard = () => {
    setBase(baseOf(prompt));
    setTitle(prompt.title);
    setContent(prompt.content);
    save.reset();
  };

  return (
    <Card>
      <CardHeader className="flex items-center justify-between">
        <CardTitle>Content</CardTitle>
        <span className="text-xs text-slate-500">
          editing from v{base.version}
          {dirty ? " — unsaved changes" : ""}
        </span>
      </CardHeader>
      <CardContent className="space-y-3">
        <div>
          <Label htmlFor="prompt-edit-title">Title</Label>
          <Input id="prompt-edit-title" value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <TemplateEditor value={content} onChange={setContent} height={300} />
        <div>
          <Label htmlFor="prompt-edit-note">Change note</Label>
          <Input id="prompt-edit-note" placeholder="what changed, and why (optional)" value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {stale !== null ? (
          <StaleNotice
            based={base.version}
            current={stale}
            onOverwrite={() => save.mutate(stale)}
            onDiscard={discard}
            pending={save.isPending}
          />
        ) : (
          <ErrorMessage error={save.error} />
        )}
        <div className="flex items-center gap-3">
          <Button onClick={() => save.mutate(base.version)} disabled={!dirty || save.isPending}>
            {save.isPending ? "Saving…" : "Save"}
          </Button>
          {save.isSuccess && !dirty && (
            <p role="status" className="text-sm text-green-700">
              Saved as version {save.data.version}.
            </p>
          )}
        </div>
      </CardContent>
    </Card>
  );
}
