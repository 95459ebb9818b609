"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";

import { DatasetScoring, useDatasetVersion } from "@/components/datasets/version-scoring";
import { ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { ApiError, api, type Page } from "@/lib/api";
import type { Dataset } from "@/lib/types/datasets";
import type { ModelStatus } from "@/lib/types/evaluations";
import type { Optimization, OptimizationCreate, SplitIn, StrategyName } from "@/lib/types/optimizations";
import type { Prompt } from "@/lib/types/prompts";

import { CostHint } from "./cost-hint";
import { STRATEGIES, needsOptimizerModel } from "./history";
import { NO_OVERRIDE, type OverrideState, ScoringOverride, toOverride } from "./scoring-section";

// The embedded model: what the README's examples optimize for, and needs no key.
const PREFERRED_MODEL = "local/gemma-3-270m";
const LIST_LIMIT = 100;
const MAX_PAGES = 20;

/** Every item of a cursor-paged list (the selects need them all). */
async function fetchAll<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result: Page<T> = await api.get<Page<T>>(path, { limit: LIST_LIMIT, cursor });
    items.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** "" = the latest version; "label:NAME" = the version a label points at; "version:N". */
type StartFrom = string;

type FormState = {
  prompt: string;
  startFrom: StartFrom;
  dataset: string;
  datasetVersion: string;
  strategy: StrategyName;
  model: string;
  optimizerModel: string;
  calls: string;
  usd: string;
  seconds: string;
  seed: string;
  split: { train: string; val: string; test: string };
  override: OverrideState;
};

// The API's defaults (SplitIn): a held-out test split the headline result is measured on.
const DEFAULT_SPLIT = { train: "0.4", val: "0.3", test: "0.3" };

export function OptimizationForm() {
  const params = useSearchParams();
  const router = useRouter();
  const queryClient = useQueryClient();
  const prompts = useQuery({ queryKey: ["prompts", "all"], queryFn: () => fetchAll<Prompt>("/prompts") });
  const datasets = useQuery({ queryKey: ["datasets", "all"], queryFn: () => fetchAll<Dataset>("/datasets") });
  const models = useQuery({ queryKey: ["models"], queryFn: () => api.get<ModelStatus[]>("/models") });

  const [form, setForm] = useState<FormState>({
    prompt: params.get("prompt") ?? "",
    startFrom: "",
    dataset: params.get("dataset") ?? "",
    datasetVersion: "",
    strategy: "bandit",
    model: "",
    optimizerModel: "",
    calls: "300",
    usd: "",
    seconds: "",
    seed: "0",
    split: DEFAULT_SPLIT,
    override: NO_OVERRIDE,
  });
  const [invalid, setInvalid] = useState<Error | null>(null);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  // A prompt or dataset passed as ?prompt=ID may be an id: the selects are keyed by name.
  const prompt = prompts.data?.find((p) => p.name === form.prompt || p.id === form.prompt);
  const dataset = datasets.data?.find((d) => d.name === form.dataset || d.id === form.dataset);
  const model = form.model || defaultModel(models.data);
  const version = useDatasetVersion(dataset, form.datasetVersion ? Number(form.datasetVersion) : null);
  const missingOptimizer = needsOptimizerModel(form.strategy) && !form.optimizerModel;

  const start = useMutation({
    mutationFn: (body: OptimizationCreate) => api.post<Optimization>("/optimizations", body),
    onSuccess: (created) => {
      queryClient.invalidateQueries({ queryKey: ["optimizations"] });
      router.push(`/optimizations/view/?id=${encodeURIComponent(created.id)}`);
    },
  });

  const split: SplitIn = {
    train: Number(form.split.train),
    val: Number(form.split.val),
    test: Number(form.split.test),
  };
  const splitTooBig = split.train + split.val + split.test > 1 + 1e-9;

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!prompt || !dataset) return;
    let override: ReturnType<typeof toOverride>;
    try {
      override = toOverride(form.override);
    } catch (error) {
      setInvalid(error as Error);
      return;
    }
    setInvalid(null);
    const body: OptimizationCreate = {
      prompt: prompt.name,
      dataset: dataset.name,
      strategy: form.strategy,
      model: model || undefined,
      optimizer_model: form.optimizerModel || undefined,
      budget: {
        calls: Number(form.calls),
        usd: form.usd === "" ? null : Number(form.usd),
        seconds: form.seconds === "" ? null : Number(form.seconds),
      },
      seed: Number(form.seed),
      split,
      // Absent unless overridden: the dataset version's scoring applies.
      ...override,
    };
    if (form.startFrom.startsWith("label:")) body.label = form.startFrom.slice("label:".length);
    if (form.startFrom.startsWith("version:")) body.prompt_version = Number(form.startFrom.slice("version:".length));
    if (form.datasetVersion) body.dataset_version = Number(form.datasetVersion);
    start.mutate(body);
  }

  const loading = prompts.isPending || datasets.isPending || models.isPending;
  const strategy = STRATEGIES.find((s) => s.name === form.strategy);
  return (
    <div className="max-w-3xl">
      <PageTitle>New optimization</PageTitle>
      <ErrorMessage error={prompts.error ?? datasets.error ?? models.error} />
      {loading && <Loading what="Loading prompts, datasets and models" />}
      <form onSubmit={submit} className="space-y-4">
        <Card>
          <CardHeader>
            <CardTitle>What to optimize</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <div>
              <Label htmlFor="prompt">Prompt</Label>
              <Select
                id="prompt"
                value={prompt?.name ?? form.prompt}
                onChange={(e) => setForm((f) => ({ ...f, prompt: e.target.value, startFrom: "" }))}
                required
              >
                <option value="">Choose a prompt…</option>
                {prompts.data?.map((p) => (
                  <option key={p.id} value={p.name}>
                    {p.name}
                  </option>
                ))}
              </Select>
              {prompts.isSuccess && prompts.data.length === 0 && (
                <p className="mt-1 text-xs text-amber-700">
                  No prompts yet: create one on the Prompts page, or install the examples with{" "}
                  <code>autoforge dataset examples</code>.
                </p>
              )}
            </div>
            <div>
              <Label htmlFor="start-from">Start from</Label>
              <Select
                id="start-from"
                value={form.startFrom}
                onChange={(e) => set("startFrom", e.target.value)}
                disabled={!prompt}
              >
                <option value="">latest version{prompt ? ` (v${prompt.version})` : ""}</option>
                {prompt &&
                  Object.entries(prompt.labels).map(([label, version]) => (
                    <option key={label} value={`label:${label}`}>
                      label {label} (v{version})
                    </option>
                  ))}
                {prompt &&
                  range(prompt.version - 1).map((v) => (
                    <option key={v} value={`version:${v}`}>
                      version {v}
                    </option>
                  ))}
              </Select>
            </div>
            <div>
              <Label htmlFor="dataset">Dataset</Label>
              <Select
                id="dataset"
                value={dataset?.name ?? form.dataset}
                // An override is a tweak of one version's scoring: another version starts afresh.
                onChange={(e) => setForm((f) => ({ ...f, dataset: e.target.value, datasetVersion: "", override: NO_OVERRIDE }))}
                required
              >
                <option value="">Choose a dataset…</option>
                {datasets.data?.map((d) => (
                  <option key={d.id} value={d.name} disabled={d.latest_version === 0}>
                    {d.name}
                  </option>
                ))}
              </Select>
              {datasets.isSuccess && datasets.data.length === 0 && (
                <p className="mt-1 text-xs text-amber-700">
                  No datasets yet: import one on the Datasets page, or run <code>autoforge dataset examples</code>.
                </p>
              )}
            </div>
            <div>
              <Label htmlFor="dataset-version">Dataset version</Label>
              <Select
                id="dataset-version"
                value={form.datasetVersion}
                onChange={(e) => setForm((f) => ({ ...f, datasetVersion: e.target.value, override: NO_OVERRIDE }))}
                disabled={!dataset}
              >
                <option value="">
                  latest{dataset?.latest ? ` (v${dataset.latest.version}, ${dataset.latest.item_count} items)` : ""}
                </option>
                {dataset &&
                  range(dataset.latest_version - 1).map((v) => (
                    <option key={v} value={v}>
                      version {v}
                    </option>
                  ))}
              </Select>
            </div>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Scoring</CardTitle>
          </CardHeader>
          <CardContent className="space-y-4">
            <DatasetScoring
              dataset={dataset}
              info={version.info}
              isPending={version.isPending}
              error={version.error}
              hint={
                form.override.on
                  ? "Overridden below: the run scores with your assertions, and your generation settings over these."
                  : "The run scores with this unless you override it below."
              }
            />
            <ScoringOverride
              state={form.override}
              onChange={(override) => set("override", override)}
              scoring={version.info?.scoring}
            />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>How</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <div className="sm:col-span-2">
              <Label htmlFor="strategy">Strategy</Label>
              <Select
                id="strategy"
                value={form.strategy}
                onChange={(e) => set("strategy", e.target.value as StrategyName)}
                aria-describedby="strategy-help"
              >
                {STRATEGIES.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </Select>
              <p id="strategy-help" className="mt-1 text-xs text-slate-600">
                {strategy?.summary}
              </p>
              <ul className="mt-1 text-xs text-slate-400">
                {STRATEGIES.filter((s) => s.name !== form.strategy).map((s) => (
                  <li key={s.name}>
                    <span className="font-medium">{s.name}</span>: {s.summary}
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <Label htmlFor="model">Target model</Label>
              <Select id="model" value={model} onChange={(e) => set("model", e.target.value)}>
                {models.data?.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.name}
                    {m.available ? "" : " (unavailable)"}
                  </option>
                ))}
              </Select>
              <ModelWarning model={models.data?.find((m) => m.name === model)} />
            </div>
            <div>
              <Label htmlFor="optimizer-model">
                Optimizer model ({needsOptimizerModel(form.strategy) ? `required for ${form.strategy}` : "optional"})
              </Label>
              <Select
                id="optimizer-model"
                value={form.optimizerModel}
                onChange={(e) => set("optimizerModel", e.target.value)}
                aria-describedby="optimizer-model-help"
                aria-invalid={missingOptimizer}
              >
                <option value="">none: structural operators only</option>
                {models.data?.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.name}
                    {m.available ? "" : " (unavailable)"}
                  </option>
                ))}
              </Select>
              {missingOptimizer ? (
                <p id="optimizer-model-help" role="alert" className="mt-1 text-xs text-red-700">
                  The {form.strategy} strategy needs an optimizer model, one that can read failed cases and write
                  instructions. Choose one, or pick bandit, genetic or opro.
                </p>
              ) : (
                <p id="optimizer-model-help" className="mt-1 text-xs text-slate-500">
                  A capable model lets instruction rewrites join the search.
                </p>
              )}
            </div>
            <div>
              <Label htmlFor="seed">Seed</Label>
              <Input
                id="seed"
                type="number"
                min={0}
                step={1}
                value={form.seed}
                onChange={(e) => set("seed", e.target.value)}
                required
              />
              <p className="mt-1 text-xs text-slate-500">Same seed, same split and same candidates.</p>
            </div>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Budget and split</CardTitle>
          </CardHeader>
          <CardContent className="space-y-4">
            <div className="grid gap-4 sm:grid-cols-3">
              <NumberField
                id="budget-calls"
                label="Budget (calls)"
                min={1}
                step={1}
                required
                value={form.calls}
                onChange={(v) => set("calls", v)}
              />
              <NumberField
                id="budget-usd"
                label="Budget (USD, optional)"
                min={0}
                placeholder="no limit"
                value={form.usd}
                onChange={(v) => set("usd", v)}
              />
              <NumberField
                id="budget-seconds"
                label="Budget (seconds, optional)"
                min={1}
                placeholder="no limit"
                value={form.seconds}
                onChange={(v) => set("seconds", v)}
              />
            </div>
            <p className="text-xs text-slate-500">The run stops at whichever limit comes first; cached answers are free.</p>
            <div className="grid gap-4 sm:grid-cols-3">
              {(
                [
                  ["train", "Train share"],
                  ["val", "Validation share"],
                  ["test", "Test share"],
                ] as const
              ).map(([key, label]) => (
                <NumberField
                  key={key}
                  id={`split-${key}`}
                  label={label}
                  min={key === "test" ? 0 : 0.01}
                  max={1}
                  required
                  value={form.split[key]}
                  onChange={(v) => setForm((f) => ({ ...f, split: { ...f.split, [key]: v } }))}
                  help={SPLIT_HELP[key]}
                />
              ))}
            </div>
            {splitTooBig && (
              <p role="alert" className="text-sm text-red-700">
                Train + validation + test must not exceed 1.
              </p>
            )}
            <CostHint items={version.info?.item_count ?? null} split={split} calls={Number(form.calls)} />
          </CardContent>
        </Card>

        <ErrorMessage error={invalid} />
        <StartError error={start.error} />
        {/* Not disabled for a missing optimizer model: the inline message says why, and the
            API's 422 (shown by StartError) stays the one authority on what it accepts. */}
        <Button type="submit" disabled={!prompt || !dataset || splitTooBig || start.isPending}>
          {start.isPending ? "Starting…" : "Start optimization"}
        </Button>
      </form>
    </div>
  );
}

function defaultModel(models: ModelStatus[] | undefined): string {
  if (!models || models.length === 0) return "";
  return (models.find((m) => m.name === PREFERRED_MODEL) ?? models.find((m) => m.is_default) ?? models[0]).name;
}

/** 1..n, newest first. */
function range(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => n - i);
}

function ModelWarning({ model }: { model?: ModelStatus }) {
  if (!model || model.available) return null;
  return <p className="mt-1 text-xs text-amber-700">Not callable here: {model.detail}</p>;
}

const SPLIT_HELP = {
  train: "What the search scores its candidates on.",
  val: "What picks the winner among them.",
  test:
    "The headline result is measured here, on cases no step of the search reads. 0 reports on validation instead, which flatters the winner: validation chose it.",
} as const;

/**
 * A failed start. A 422 for a form that looked valid is one of the API's cross-field rules
 * (reflective without an optimizer model, more than the whole dataset in the split): its
 * `detail` says it in words, without the validator's "request: Value error," in front.
 */
function StartError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 422 && (error.problem.errors?.length ?? 0) <= 1 && error.problem.detail) {
    const detail = error.problem.detail.replace(/^request: /, "").replace(/^Value error, /, "");
    return (
      <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        {error.problem.title}: {detail}
      </div>
    );
  }
  return <ErrorMessage error={error} />;
}

/** A labelled number input; the form keeps its text so an empty optional field stays empty. */
function NumberField({
  id,
  label,
  value,
  onChange,
  min,
  max,
  step = "any",
  placeholder,
  required = false,
  help,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  min?: number;
  max?: number;
  step?: number | "any";
  placeholder?: string;
  required?: boolean;
  help?: string;
}) {
  return (
    <div>
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        type="number"
        min={min}
        max={max}
        step={step}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required={required}
        aria-describedby={help ? `${id}-help` : undefined}
      />
      {help && (
        <p id={`${id}-help`} className="mt-1 text-xs text-slate-500">
          {help}
        </p>
      )}
    </div>
  );
}
