"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { DatasetScoring, useDatasetVersion } from "@/components/datasets/version-scoring";
import { ErrorMessage, Loading } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { api, type Page } from "@/lib/api";
import type { Dataset, VersionPage as DatasetVersionPage } from "@/lib/types/datasets";
import type {
  CallMode,
  EvaluationBatch,
  EvaluationCreate,
  GenerationParams,
  ModelStatus,
  PromptRef,
  PromptVersionRef,
} from "@/lib/types/evaluations";

import { AssertionEditor, type AssertionDraft, newDraft, toAssertionSet } from "./assertion-editor";
import { EVALUATIONS_KEY } from "./shared";

// The model the API uses when none is given is the configured default; this one ships with it.
const LOCAL_MODEL = "local/gemma-3-270m";
// Enough for a picker; the API pages at 100 at most.
const MAX_PAGES = 10;

/** Every page of a cursor-paged list (up to MAX_PAGES of 100). */
async function fetchAll<T>(path: string, query: Record<string, string | boolean> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await api.get<Page<T>>(path, { ...query, cursor, limit: 100 });
    items.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items;
}

type StopChoice = "default" | "newline" | "none";

type FormState = {
  promptId: string;
  promptVersion: string;
  datasetId: string;
  datasetVersion: string;
  models: string[];
  defaultAssertions: boolean;
  assertions: AssertionDraft[];
  passThreshold: string;
  maxTokens: string;
  temperature: string;
  stop: StopChoice;
  mode: CallMode;
  concurrency: string;
  judgeModel: string;
  noCache: boolean;
};

function numberOrUndefined(text: string, what: string): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${what} must be a number`);
  return value;
}

/** The request body; throws an Error in plain words when something is missing or malformed. */
function toRequest(form: FormState): EvaluationCreate {
  if (!form.promptId) throw new Error("Choose a prompt.");
  if (!form.datasetId) throw new Error("Choose a dataset.");
  if (form.models.length === 0) throw new Error("Tick at least one model.");
  // Only what the user set: the API keeps the dataset version's generation settings for the rest.
  const params: GenerationParams = {};
  const maxTokens = numberOrUndefined(form.maxTokens, "Max tokens");
  const temperature = numberOrUndefined(form.temperature, "Temperature");
  if (maxTokens !== undefined) params.max_tokens = maxTokens;
  if (temperature !== undefined) params.temperature = temperature;
  if (form.stop === "newline") params.stop = ["\n"];
  if (form.stop === "none") params.stop = null;
  return {
    prompt_id: form.promptId,
    prompt_version: form.promptVersion ? Number(form.promptVersion) : undefined,
    dataset_id: form.datasetId,
    dataset_version: form.datasetVersion ? Number(form.datasetVersion) : undefined,
    models: form.models,
    assertions: form.defaultAssertions ? undefined : toAssertionSet(form.assertions, form.passThreshold),
    params,
    concurrency: numberOrUndefined(form.concurrency, "Concurrency"),
    mode: form.mode,
    judge_model: form.judgeModel || undefined,
    no_cache: form.noCache,
  };
}

export function NewEvaluationForm({ initialPromptId, initialDatasetId }: { initialPromptId?: string; initialDatasetId?: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>({
    promptId: initialPromptId ?? "",
    promptVersion: "",
    datasetId: initialDatasetId ?? "",
    datasetVersion: "",
    models: [],
    defaultAssertions: true,
    assertions: [newDraft()],
    passThreshold: "",
    maxTokens: "",
    temperature: "",
    stop: "default",
    mode: "auto",
    concurrency: "",
    judgeModel: "",
    noCache: false,
  });
  const set = (patch: Partial<FormState>) => setForm((current) => ({ ...current, ...patch }));
  const [invalid, setInvalid] = useState<Error | null>(null);

  const prompts = useQuery({ queryKey: ["evaluations", "form", "prompts"], queryFn: () => fetchAll<PromptRef>("/prompts") });
  const datasets = useQuery({ queryKey: ["evaluations", "form", "datasets"], queryFn: () => fetchAll<Dataset>("/datasets") });
  const models = useQuery({ queryKey: ["evaluations", "form", "models"], queryFn: () => api.get<ModelStatus[]>("/models") });
  const dataset = datasets.data?.find((d) => d.id === form.datasetId);
  const version = useDatasetVersion(dataset, form.datasetVersion ? Number(form.datasetVersion) : null);

  // Tick the configured default model (the local one if none is marked) once the list is known.
  useEffect(() => {
    if (!models.data) return;
    const preferred = models.data.find((m) => m.is_default) ?? models.data.find((m) => m.name === LOCAL_MODEL);
    if (preferred) setForm((current) => (current.models.length ? current : { ...current, models: [preferred.name] }));
  }, [models.data]);

  const start = useMutation({
    mutationFn: (body: EvaluationCreate) => api.post<EvaluationBatch>("/evaluations", body),
    onSuccess: (batch) => {
      queryClient.invalidateQueries({ queryKey: EVALUATIONS_KEY });
      router.push(`/evaluations/view/?id=${batch.evaluations[0].id}`);
    },
  });

  function submit(event: React.FormEvent) {
    event.preventDefault();
    let body: EvaluationCreate;
    try {
      body = toRequest(form);
    } catch (error) {
      setInvalid(error as Error);
      return;
    }
    setInvalid(null);
    start.mutate(body);
  }

  const usesJudge = !form.defaultAssertions && form.assertions.some((a) => a.type === "llm_judge");

  return (
    <form onSubmit={submit} className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>What to evaluate</CardTitle>
        </CardHeader>
        <CardContent className="space-y-4">
          <ErrorMessage error={prompts.error ?? datasets.error ?? models.error} />
          {(prompts.isPending || datasets.isPending) && <Loading what="Loading prompts and datasets" />}
          {prompts.data?.length === 0 || datasets.data?.length === 0 ? (
            <p className="text-sm text-slate-600">
              You need a prompt and a dataset. Run <code>autoforge dataset examples</code> to install three of each, or create a{" "}
              <Link href="/prompts/" className="underline">prompt</Link> and import a <Link href="/datasets/" className="underline">dataset</Link>.
            </p>
          ) : null}
          <div className="grid gap-4 sm:grid-cols-2">
            <div>
              <Label htmlFor="prompt">Prompt</Label>
              <Select id="prompt" value={form.promptId} onChange={(e) => set({ promptId: e.target.value, promptVersion: "" })} disabled={!prompts.data}>
                <option value="">Choose a prompt…</option>
                {prompts.data?.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </Select>
            </div>
            <PromptVersionSelect promptId={form.promptId} value={form.promptVersion} onChange={(v) => set({ promptVersion: v })} />
            <div>
              <Label htmlFor="dataset">Dataset</Label>
              <Select id="dataset" value={form.datasetId} onChange={(e) => set({ datasetId: e.target.value, datasetVersion: "" })} disabled={!datasets.data}>
                <option value="">Choose a dataset…</option>
                {datasets.data?.map((d) => (
                  <option key={d.id} value={d.id} disabled={d.latest_version === 0}>
                    {d.name}
                  </option>
                ))}
              </Select>
            </div>
            <DatasetVersionSelect datasetId={form.datasetId} value={form.datasetVersion} onChange={(v) => set({ datasetVersion: v })} />
          </div>
          <ModelChoice models={models.data} selected={form.models} onChange={(m) => set({ models: m })} />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Assertions</CardTitle>
        </CardHeader>
        <CardContent className="space-y-4">
          <div>
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                checked={form.defaultAssertions}
                onChange={(e) => set({ defaultAssertions: e.target.checked })}
                aria-describedby="default-assertions-help"
              />
              Use the dataset&apos;s scoring
            </label>
            <p id="default-assertions-help" className="mt-1 pl-6 text-xs text-slate-500">
              Every dataset version carries its scoring: the assertions given at import, or ones inferred from its
              expected answers. Untick to score this run with your own assertions instead.
            </p>
          </div>
          {form.defaultAssertions && (
            <DatasetScoring dataset={dataset} info={version.info} isPending={version.isPending} error={version.error} hint="The run scores with this; the generation fields below override its settings one by one." />
          )}
          {!form.defaultAssertions && (
            <AssertionEditor
              drafts={form.assertions}
              onChange={(assertions) => set({ assertions })}
              passThreshold={form.passThreshold}
              onPassThreshold={(passThreshold) => set({ passThreshold })}
            />
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Generation</CardTitle>
        </CardHeader>
        <CardContent className="space-y-4">
          <p className="text-xs text-slate-500">Empty fields keep the dataset version&apos;s generation settings, shown above, or the API&apos;s defaults (temperature 0).</p>
          <div className="grid gap-4 sm:grid-cols-3">
            <div>
              <Label htmlFor="max-tokens">Max tokens</Label>
              <Input id="max-tokens" type="number" min={1} max={32768} step={1} value={form.maxTokens} onChange={(e) => set({ maxTokens: e.target.value })} placeholder="default" />
            </div>
            <div>
              <Label htmlFor="temperature">Temperature</Label>
              <Input id="temperature" type="number" min={0} max={2} step={0.1} value={form.temperature} onChange={(e) => set({ temperature: e.target.value })} placeholder="0" />
            </div>
            <div>
              <Label htmlFor="stop">Stop</Label>
              <Select id="stop" value={form.stop} onChange={(e) => set({ stop: e.target.value as StopChoice })}>
                <option value="default">Default</option>
                <option value="newline">At the first line break</option>
                <option value="none">Never (up to max tokens)</option>
              </Select>
            </div>
            <div>
              <Label htmlFor="call-mode">Call mode</Label>
              <Select id="call-mode" value={form.mode} onChange={(e) => set({ mode: e.target.value as CallMode })}>
                <option value="auto">auto (completion for the local model, chat otherwise)</option>
                <option value="completion">completion: the prompt verbatim</option>
                <option value="chat">chat: the prompt as a user message</option>
              </Select>
            </div>
            <div>
              <Label htmlFor="concurrency">Concurrency</Label>
              <Input id="concurrency" type="number" min={1} max={64} step={1} value={form.concurrency} onChange={(e) => set({ concurrency: e.target.value })} placeholder="server default" />
            </div>
            {usesJudge && (
              <div>
                <Label htmlFor="judge-model">Judge model</Label>
                <Select id="judge-model" value={form.judgeModel} onChange={(e) => set({ judgeModel: e.target.value })}>
                  <option value="">server default</option>
                  {models.data?.map((m) => (
                    <option key={m.name} value={m.name}>
                      {m.name}
                    </option>
                  ))}
                </Select>
              </div>
            )}
          </div>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={form.noCache} onChange={(e) => set({ noCache: e.target.checked })} />
            Always call the model (skip the response cache)
          </label>
        </CardContent>
      </Card>

      <div className="space-y-3">
        <ErrorMessage error={invalid ?? start.error} />
        <Button type="submit" size="lg" disabled={start.isPending}>
          {start.isPending ? "Starting…" : "Start evaluation"}
        </Button>
      </div>
    </form>
  );
}

function PromptVersionSelect({ promptId, value, onChange }: { promptId: string; value: string; onChange: (v: string) => void }) {
  const versions = useQuery({
    queryKey: ["evaluations", "form", "prompt-versions", promptId],
    queryFn: () => api.get<{ items: PromptVersionRef[] }>(`/prompts/${promptId}/versions`, { limit: 100 }),
    enabled: promptId !== "",
  });
  const items = versions.data?.items ?? [];
  return (
    <div>
      <Label htmlFor="prompt-version">Prompt version</Label>
      <Select id="prompt-version" value={value} onChange={(e) => onChange(e.target.value)} disabled={!promptId}>
        <option value="">Latest{items[0] ? ` (v${items[0].version})` : ""}</option>
        {items.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}: {v.title}
            {v.labels.length ? ` [${v.labels.join(", ")}]` : ""}
          </option>
        ))}
      </Select>
      <ErrorMessage error={versions.error} />
    </div>
  );
}

function DatasetVersionSelect({ datasetId, value, onChange }: { datasetId: string; value: string; onChange: (v: string) => void }) {
  const versions = useQuery({
    queryKey: ["evaluations", "form", "dataset-versions", datasetId],
    queryFn: () => api.get<DatasetVersionPage>(`/datasets/${datasetId}/versions`, { limit: 100 }),
    enabled: datasetId !== "",
  });
  const items = versions.data?.items ?? [];
  return (
    <div>
      <Label htmlFor="dataset-version">Dataset version</Label>
      <Select id="dataset-version" value={value} onChange={(e) => onChange(e.target.value)} disabled={!datasetId}>
        <option value="">Latest{items[0] ? ` (v${items[0].version}, ${items[0].item_count} items)` : ""}</option>
        {items.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}: {v.item_count} items{v.note ? ` (${v.note})` : ""}
          </option>
        ))}
      </Select>
      <ErrorMessage error={versions.error} />
    </div>
  );
}

/** One evaluation per ticked model, started together. */
function ModelChoice({ models, selected, onChange }: { models: ModelStatus[] | undefined; selected: string[]; onChange: (m: string[]) => void }) {
  return (
    <fieldset>
      <legend className="mb-1 text-xs font-medium uppercase text-slate-500">Models</legend>
      {!models ? (
        <Loading what="Loading models" />
      ) : (
        <div className="flex flex-col gap-1">
          {models.map((model) => {
            const id = `model-${model.name}`;
            return (
              <div key={model.name} className="flex items-center gap-2 text-sm">
                <input
                  id={id}
                  type="checkbox"
                  checked={selected.includes(model.name)}
                  onChange={(e) => onChange(e.target.checked ? [...selected, model.name] : selected.filter((m) => m !== model.name))}
                  aria-describedby={model.available ? undefined : `${id}-detail`}
                />
                <label htmlFor={id} className="font-mono">
                  {model.name}
                </label>
                {model.is_default && <span className="text-xs text-slate-500">default</span>}
                {!model.available && (
                  <span id={`${id}-detail`} className="text-xs text-amber-700">
                    not available here: {model.detail}
                  </span>
                )}
              </div>
            );
          })}
        </div>
      )}
    </fieldset>
  );
}
