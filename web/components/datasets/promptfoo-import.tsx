"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { ErrorMessage } from "@/components/feedback";
import { promptKeys } from "@/components/prompts/queries";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { api } from "@/lib/api";
import type { PromptfooImport, PromptfooImportReport } from "@/lib/types/promptfoo";

import { DATASETS_KEY } from "./dataset-list";

const FILE_INPUT =
  "block text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm";

/** `file://` references in YAML (or CSV/JSON) text, as written after `file://`. */
export function references(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/file:\/\/([^\s'",\]\}#]+)/g)) found.add(match[1]);
  return [...found];
}

/** The API's key for a reference: `./` dropped and the path normalized, as Python's
 *  PurePosixPath does (src/autoforge/promptfoo/config.py uploaded_reader). */
export function referenceKey(path: string): string {
  const parts = path
    .replace(/^\.\//, "")
    .split("/")
    .filter((part, index) => part !== "." && (part !== "" || index === 0));
  return parts.join("/") || ".";
}

function baseName(path: string): string {
  return path.split("/").pop() ?? path;
}

/** The name when none is given, as the CLI picks it from a file: the file's stem, except
 *  that `promptfooconfig.yaml` says nothing (the CLI then uses its folder, unknown here). */
export function defaultName(fileName: string | undefined): string {
  if (!fileName) return "";
  const stem = fileName.replace(/\.[^.]*$/, "");
  const named = stem.startsWith("promptfooconfig") ? "promptfoo" : stem;
  return named.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-._]+|[-._]+$/g, "") || "promptfoo";
}

type Picked = { name: string; text: string };

/** The upload's `files`: each picked file under every path the config (or another picked
 *  file) names it by, matched on the base name; a file nobody names keeps its own name. */
export function filesByReference(config: string, picked: Picked[]): Record<string, string> {
  const refs = [config, ...picked.map((file) => file.text)].flatMap(references);
  const files: Record<string, string> = {};
  for (const file of picked) {
    const keys = refs.filter((ref) => baseName(referenceKey(ref)) === file.name).map(referenceKey);
    for (const key of keys.length > 0 ? keys : [file.name]) files[key] = file.text;
  }
  return files;
}

async function readAll(files: File[]): Promise<Picked[]> {
  return Promise.all(files.map(async (file) => ({ name: file.name, text: await file.text() })));
}

/** Upload a promptfoo config with the files it references; show what became of it. */
export function PromptfooImportForm() {
  const queryClient = useQueryClient();
  const [config, setConfig] = useState<File | null>(null);
  const [configText, setConfigText] = useState("");
  const [extra, setExtra] = useState<File[]>([]);
  const [name, setName] = useState("");

  const upload = useMutation({
    mutationFn: async () => {
      const body: PromptfooImport = {
        name: name.trim() || defaultName(config?.name),
        config: configText,
        files: filesByReference(configText, await readAll(extra)),
      };
      return api.post<PromptfooImportReport>("/promptfoo:import", body);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: DATASETS_KEY });
      void queryClient.invalidateQueries({ queryKey: promptKeys.all });
    },
  });

  async function pickConfig(file: File | null) {
    setConfig(file);
    setConfigText(file ? await file.text() : "");
    upload.reset();
  }

  const named = references(configText).map(referenceKey);
  const pickedNames = new Set(extra.map((file) => file.name));
  const canImport = config !== null && configText.trim() !== "" && !upload.isPending;

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Upload</CardTitle>
        </CardHeader>
        <CardContent>
          <form
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              if (canImport) upload.mutate();
            }}
          >
            <p className="text-sm text-slate-500">
              The config&apos;s prompts become prompts <code>NAME</code>, <code>NAME-2</code>, …, its tests the dataset{" "}
              <code>NAME</code>, and its assertions that dataset&apos;s scoring. Whatever has no counterpart here is listed
              with its location. All or nothing: if a name is taken, nothing is written. See{" "}
              <code>docs/promptfoo.md</code> for what is read.
            </p>
            <div>
              <Label htmlFor="promptfoo-config">promptfoo config</Label>
              <input
                id="promptfoo-config"
                type="file"
                accept=".yaml,.yml,.json"
                onChange={(e) => void pickConfig(e.target.files?.[0] ?? null)}
                className={FILE_INPUT}
              />
            </div>
            <div>
              <Label htmlFor="promptfoo-files">Referenced files</Label>
              <input
                id="promptfoo-files"
                type="file"
                multiple
                onChange={(e) => {
                  setExtra(Array.from(e.target.files ?? []));
                  upload.reset();
                }}
                className={FILE_INPUT}
              />
              <p className="mt-1 text-xs text-slate-500">
                The prompt, CSV, JSONL, YAML or JSON files the config names with <code>file://</code>; each is matched by
                its file name.
              </p>
              {named.length > 0 && (
                <ul aria-label="files the config names" className="mt-2 space-y-0.5 text-xs">
                  {named.map((path) => (
                    <li key={path} className={pickedNames.has(baseName(path)) ? "text-green-700" : "text-amber-700"}>
                      <code>file://{path}</code>: {pickedNames.has(baseName(path)) ? "picked" : "not picked (will be reported)"}
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div className="max-w-sm">
              <Label htmlFor="promptfoo-name">Name (optional)</Label>
              <Input
                id="promptfoo-name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder={defaultName(config?.name) || "capitals"}
              />
            </div>
            <Button type="submit" disabled={!canImport}>
              {upload.isPending ? "Importing…" : "Import"}
            </Button>
            <ErrorMessage error={upload.error} />
          </form>
        </CardContent>
      </Card>
      {upload.data && <ImportReport report={upload.data} />}
    </div>
  );
}

function ImportReport({ report }: { report: PromptfooImportReport }) {
  const kinds = report.assertions.assertions.map((assertion) => assertion.type).join(", ");
  const threshold = report.assertions.pass_threshold;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Imported</CardTitle>
      </CardHeader>
      <CardContent>
        <section aria-label="import report" className="space-y-4 text-sm">
          <div>
            <p className="text-xs font-medium uppercase text-slate-500">Dataset</p>
            <p>
              <Link href={`/datasets/view/?id=${report.dataset_id}`} className="font-medium underline">
                {report.dataset_name}
              </Link>{" "}
              with {report.items} {report.items === 1 ? "item" : "items"}
            </p>
          </div>
          <div>
            <p className="text-xs font-medium uppercase text-slate-500">Prompts</p>
            <ul aria-label="imported prompts" className="space-y-1">
              {report.prompts.map((prompt) => (
                <li key={prompt.id} className="flex flex-wrap items-center gap-3">
                  <Link href={`/prompts/view/?id=${encodeURIComponent(prompt.id)}`} className="font-medium underline">
                    {prompt.name}
                  </Link>
                  <span className="text-xs text-slate-500">from {prompt.source}</span>
                  <Link
                    href={`/evaluations/new/?prompt=${encodeURIComponent(prompt.id)}&dataset=${report.dataset_id}`}
                    className="text-xs underline"
                  >
                    Evaluate {prompt.name} on {report.dataset_name}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
          <div className="rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="promptfoo-scoring">
            <p className="text-xs font-medium uppercase text-slate-500">Scoring</p>
            <p className="mt-1 text-slate-900">
              {kinds}
              {threshold != null && threshold < 1 && ` (passes at ${Math.round(threshold * 100)} % of the weight)`}
            </p>
            <p className="mt-1 text-xs text-slate-600">{report.explanation}</p>
          </div>
          <div>
            <p className="text-xs font-medium uppercase text-slate-500">Not imported ({report.unsupported.length})</p>
            {report.unsupported.length === 0 ? (
              <p className="text-slate-600">Everything in the config was imported.</p>
            ) : (
              <ul aria-label="not imported" className="mt-1 list-disc space-y-0.5 pl-5 text-amber-900">
                {report.unsupported.map((line, index) => {
                  const at = line.indexOf(": ");
                  return (
                    <li key={index}>
                      {at > 0 ? (
                        <>
                          <span className="font-mono">{line.slice(0, at)}</span>: {line.slice(at + 2)}
                        </>
                      ) : (
                        line
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        </section>
      </CardContent>
    </Card>
  );
}
