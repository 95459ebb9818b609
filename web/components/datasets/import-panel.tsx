"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRef, useState } from "react";

import { ErrorMessage } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label, Select, Textarea } from "@/components/ui/input";
import { api, ApiError, request } from "@/lib/api";
import type { Dataset, DatasetCreate, DatasetVersionInfo, ImportFormat, VersionMode } from "@/lib/types/datasets";

import { DATASETS_KEY } from "./dataset-list";

const CONTENT_TYPES: Record<ImportFormat, string> = { jsonl: "application/x-ndjson", csv: "text/csv" };

const PLACEHOLDERS: Record<ImportFormat, string> = {
  jsonl:
    '{"name": "neg-1", "input": {"text": "It broke in a day."}, "expected": "negative"}\n' +
    '{"input": {"text": "Not bad at all."}, "expected": "positive"}',
  csv: "name,text,expected,category,difficulty\nneg-1,It broke in a day.,negative,product,easy",
};

type Imported = { dataset: Dataset; version: DatasetVersionInfo; createdDataset: boolean };

/** The dataset of that name, or a new empty one (the import then makes its version 1). */
async function findOrCreate(name: string): Promise<{ dataset: Dataset; created: boolean }> {
  try {
    return { dataset: await api.get<Dataset>(`/datasets/by-name/${encodeURIComponent(name)}`), created: false };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  const body: DatasetCreate = { name };
  return { dataset: await api.post<Dataset>("/datasets", body), created: true };
}

async function importFile(name: string, format: ImportFormat, mode: VersionMode, note: string, text: string): Promise<Imported> {
  const { dataset, created } = await findOrCreate(name);
  try {
    const version = await request<DatasetVersionInfo>(`/datasets/${dataset.id}:import`, {
      method: "POST",
      text,
      contentType: CONTENT_TYPES[format],
      query: { format, mode, note: note || undefined },
    });
    return { dataset, version, createdDataset: created };
  } catch (error) {
    // The import is all or nothing; so is this panel: don't leave an empty dataset behind.
    if (created) await api.delete(`/datasets/${dataset.id}`).catch(() => undefined);
    throw error;
  }
}

/** Import a JSONL or CSV file (picked or pasted) as the next version of a dataset, new or existing. */
export function ImportPanel() {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [format, setFormat] = useState<ImportFormat>("jsonl");
  const [mode, setMode] = useState<VersionMode>("replace");
  const [note, setNote] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [pasted, setPasted] = useState("");

  const upload = useMutation({
    mutationFn: async () => importFile(name.trim(), format, mode, note.trim(), file ? await file.text() : pasted),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: DATASETS_KEY }),
  });

  function pickFile(picked: File | null) {
    setFile(picked);
    // The extension is the best hint of the format; the select can still override it.
    if (picked?.name.toLowerCase().endsWith(".csv")) setFormat("csv");
    else if (picked && /\.(jsonl|ndjson)$/i.test(picked.name)) setFormat("jsonl");
  }

  const canImport = name.trim() !== "" && (file !== null || pasted.trim() !== "") && !upload.isPending;

  return (
    <Card>
      <CardHeader>
        <CardTitle>Import</CardTitle>
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
            Creates the next version of the dataset (a new dataset if the name is new). JSONL: one item per line,{" "}
            <code>{'{"name"?, "input": {...}, "expected"?, "metadata"?}'}</code>. CSV: a header row; <code>name</code>,{" "}
            <code>expected</code>, <code>category</code>, <code>difficulty</code>, <code>features_tested</code> fill those
            fields, every other column is an input variable. If any row is rejected, nothing is written.
          </p>
          <div className="grid gap-4 sm:grid-cols-3">
            <div>
              <Label htmlFor="import-name">Name</Label>
              <Input id="import-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="reviews" />
            </div>
            <div>
              <Label htmlFor="import-format">Format</Label>
              <Select id="import-format" value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)}>
                <option value="jsonl">JSONL</option>
                <option value="csv">CSV</option>
              </Select>
            </div>
            <div>
              <Label htmlFor="import-mode">Mode</Label>
              <Select id="import-mode" value={mode} onChange={(e) => setMode(e.target.value as VersionMode)}>
                <option value="replace">Replace: the file is the whole version</option>
                <option value="append">Append to the latest version</option>
              </Select>
            </div>
          </div>
          <div>
            <Label htmlFor="import-file">File</Label>
            <input
              ref={fileInput}
              id="import-file"
              type="file"
              accept=".jsonl,.ndjson,.csv,.txt"
              onChange={(e) => pickFile(e.target.files?.[0] ?? null)}
              className="block text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
            />
          </div>
          <div>
            <Label htmlFor="import-data">Data</Label>
            <Textarea
              id="import-data"
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              placeholder={PLACEHOLDERS[format]}
              disabled={file !== null}
              rows={6}
            />
            {file && (
              <p className="mt-1 flex items-center gap-2 text-xs text-slate-500">
                Importing the file {file.name}.
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => {
                    if (fileInput.current) fileInput.current.value = "";
                    setFile(null);
                  }}
                >
                  Clear file
                </Button>
              </p>
            )}
          </div>
          <div>
            <Label htmlFor="import-note">Note (optional)</Label>
            <Input id="import-note" value={note} onChange={(e) => setNote(e.target.value)} placeholder="what changed" />
          </div>
          <Button type="submit" disabled={!canImport}>
            {upload.isPending ? "Importing…" : "Import"}
          </Button>
          <ImportOutcome result={upload.data} error={upload.error} />
        </form>
      </CardContent>
    </Card>
  );
}

function ImportOutcome({ result, error }: { result: Imported | undefined; error: Error | null }) {
  if (error) {
    // A rejected file is a 422 listing every rejected line; its detail says how many and that nothing was written.
    const detail = error instanceof ApiError && error.problem.errors?.length ? error.problem.detail : null;
    return (
      <div className="space-y-1">
        <ErrorMessage error={error} />
        {detail && <p className="text-sm text-red-800">{detail}</p>}
      </div>
    );
  }
  if (!result) return null;
  const { dataset, version, createdDataset } = result;
  return (
    <p role="status" className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">
      {createdDataset ? "Created dataset" : "Imported into"}{" "}
      <Link href={`/datasets/view/?id=${dataset.id}`} className="font-medium underline">
        {dataset.name}
      </Link>
      : version {version.version} with {version.item_count} items.
    </p>
  );
}
