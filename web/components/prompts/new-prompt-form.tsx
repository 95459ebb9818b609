"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { ErrorMessage } from "@/components/feedback";
import { TemplateEditor } from "@/components/monaco";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { api } from "@/lib/api";
import type { Prompt, PromptCreate } from "@/lib/types/prompts";

import { useRefreshPrompts, useTemplates } from "./queries";
import { type ParameterInput, parameterValues, TemplateParameters } from "./template-parameters";

type Source = "content" | "template";

/** "a, b ,c" -> ["a", "b", "c"]; the server normalizes case and checks each tag. */
export function splitTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

function SourceChoice({ source, onChange }: { source: Source; onChange: (s: Source) => void }) {
  const options: [Source, string][] = [
    ["content", "Write the content"],
    ["template", "From a template"],
  ];
  return (
    <fieldset className="flex gap-4 text-sm">
      <legend className="sr-only">Start from</legend>
      {options.map(([value, text]) => (
        <label key={value} className="flex items-center gap-2">
          <input type="radio" name="new-prompt-source" value={value} checked={source === value} onChange={() => onChange(value)} />
          {text}
        </label>
      ))}
    </fieldset>
  );
}

/** Creates version 1 of a prompt, from typed content or a rendered template, then opens it. */
export function NewPromptForm({ onCancel }: { onCancel: () => void }) {
  const router = useRouter();
  const refresh = useRefreshPrompts();
  const templates = useTemplates();
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");
  const [tags, setTags] = useState("");
  const [source, setSource] = useState<Source>("content");
  const [content, setContent] = useState("");
  const [templateId, setTemplateId] = useState("");
  const [parameters, setParameters] = useState<ParameterInput>({});

  const create = useMutation({
    mutationFn: () => {
      const body: PromptCreate = { name: name.trim(), title: title.trim() || name.trim(), tags: splitTags(tags) };
      if (source === "content") {
        body.content = content;
      } else {
        const template = templates.data?.items.find((t) => t.id === templateId);
        body.template_id = templateId;
        body.variables = template ? parameterValues(template, parameters) : {};
      }
      return api.post<Prompt>("/prompts", body);
    },
    onSuccess: async (prompt) => {
      await refresh();
      router.push(`/prompts/view/?id=${encodeURIComponent(prompt.id)}`);
    },
  });

  const ready = name.trim() !== "" && (source === "content" ? content.trim() !== "" : templateId !== "");

  return (
    <Card className="mb-6">
      <CardHeader>
        <CardTitle>New prompt</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <div className="grid grid-cols-1 gap-3 md:grid-cols-3">
            <div>
              <Label htmlFor="new-prompt-name">Name</Label>
              <Input id="new-prompt-name" required placeholder="support-reply" value={name} onChange={(e) => setName(e.target.value)} />
            </div>
            <div>
              <Label htmlFor="new-prompt-title">Title</Label>
              <Input id="new-prompt-title" placeholder="same as the name" value={title} onChange={(e) => setTitle(e.target.value)} />
            </div>
            <div>
              <Label htmlFor="new-prompt-tags">Tags</Label>
              <Input id="new-prompt-tags" placeholder="support, email" value={tags} onChange={(e) => setTags(e.target.value)} />
            </div>
          </div>
          <SourceChoice source={source} onChange={setSource} />
          {source === "content" ? (
            <div>
              <p className="mb-1 text-xs font-medium uppercase text-slate-500">Content</p>
              <TemplateEditor value={content} onChange={setContent} height={200} />
              <p className="mt-1 text-xs text-slate-500">
                Write <code>{"{{variable}}"}</code> where a value goes in; each one gets an input when you run the prompt.
              </p>
            </div>
          ) : (
            <TemplateParameters
              templateId={templateId}
              onTemplate={(id) => {
                setTemplateId(id);
                setParameters({});
              }}
              input={parameters}
              onInput={setParameters}
            />
          )}
          <ErrorMessage error={create.error} />
          <div className="flex gap-2">
            <Button type="submit" disabled={!ready || create.isPending}>
              {create.isPending ? "Creating…" : "Create"}
            </Button>
            <Button variant="ghost" onClick={onCancel}>
              Cancel
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
