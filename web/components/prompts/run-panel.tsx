"use client";

import { useMutation } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useState } from "react";

import { ErrorMessage, Loading } from "@/components/feedback";
import { templateVariables } from "@/components/monaco";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label, Select, Textarea } from "@/components/ui/input";
import { api } from "@/lib/api";
import type { ModelInfo, Prompt, RunRequest, RunResult, RunTarget } from "@/lib/types/prompts";
import { formatCost, formatMs } from "@/lib/utils";

import { useModels, useVersion } from "./queries";

const LOCAL_MODEL = "local/gemma-3-270m";

/** The local model when it is there (free, offline), else the configured default. */
function defaultModel(models: ModelInfo[]): string {
  const pick =
    models.find((m) => m.name === LOCAL_MODEL) ?? models.find((m) => m.is_default) ?? models.find((m) => m.available) ?? models[0];
  return pick?.name ?? "";
}

function ModelSelect({ models, value, onChange }: {
  models: ReturnType<typeof useModels>;
  value: string;
  onChange: (name: string) => void;
}) {
  if (models.error) return <ErrorMessage error={models.error} />;
  return (
    <div>
      <Label htmlFor="run-model">Model</Label>
      <Select id="run-model" value={value} onChange={(e) => onChange(e.target.value)} disabled={models.isPending}>
        {models.isPending && <option value="">loading models…</option>}
        {models.data?.map((m) => (
          <option key={m.name} value={m.name} disabled={!m.available} title={m.detail}>
            {m.name}
            {m.available ? "" : " (unavailable)"}
          </option>
        ))}
      </Select>
    </div>
  );
}

const LATEST: RunTarget = { kind: "latest" };

/** The select's option value for a target; labels may hold any character, so the prefix leads. */
function targetKey(target: RunTarget): string {
  if (target.kind === "version") return `version:${target.version}`;
  if (target.kind === "label") return `label:${target.label}`;
  return "latest";
}

function parseTarget(key: string): RunTarget {
  if (key.startsWith("version:")) return { kind: "version", version: Number(key.slice("version:".length)) };
  if (key.startsWith("label:")) return { kind: "label", label: key.slice("label:".length) };
  return LATEST;
}

/** A removed label (or a version that is no longer there) falls back to the latest. */
function currentTarget(target: RunTarget, prompt: Prompt): RunTarget {
  if (target.kind === "label" && !Object.prototype.hasOwnProperty.call(prompt.labels, target.label)) return LATEST;
  if (target.kind === "version" && target.version > prompt.version) return LATEST;
  return target;
}

/** The version a target points at now; the server resolves it again when it runs. */
function targetVersion(target: RunTarget, prompt: Prompt): number {
  if (target.kind === "version") return target.version;
  if (target.kind === "label") return prompt.labels[target.label] ?? prompt.version;
  return prompt.version;
}

function RunTargetSelect({ prompt, value, onChange }: {
  prompt: Prompt;
  value: RunTarget;
  onChange: (target: RunTarget) => void;
}) {
  const labels = Object.entries(prompt.labels).sort(([a], [b]) => a.localeCompare(b));
  const versions = Array.from({ length: prompt.version }, (_, i) => prompt.version - i);
  return (
    <div>
      <Label htmlFor="run-target">Run what</Label>
      <Select id="run-target" value={targetKey(value)} onChange={(e) => onChange(parseTarget(e.target.value))}>
        <option value="latest">Latest (v{prompt.version})</option>
        {labels.length > 0 && (
          <optgroup label="Labels">
            {labels.map(([label, version]) => (
              <option key={label} value={targetKey({ kind: "label", label })}>
                {`label: ${label} (v${version})`}
              </option>
            ))}
          </optgroup>
        )}
        <optgroup label="Versions">
          {versions.map((n) => (
            <option key={n} value={targetKey({ kind: "version", version: n })}>
              {`v${n}`}
            </option>
          ))}
        </optgroup>
      </Select>
    </div>
  );
}

function askedFor(target: RunTarget): string {
  if (target.kind === "label") return ` (label ${target.label})`;
  if (target.kind === "latest") return " (the latest)";
  return "";
}

function RunOutput({ result, target }: { result: RunResult; target: RunTarget }) {
  const u = result.usage;
  const facts: [string, React.ReactNode][] = [
    ["Model", result.model],
    ["Tokens in / out", `${u.tokens_in} / ${u.tokens_out}`],
    ["Cost", formatCost(u.cost_usd, u.unpriced)],
    ["Latency", formatMs(u.latency_ms)],
    ["Cache", u.cache_hit ? <Badge tone="green">hit</Badge> : <Badge>miss</Badge>],
  ];
  return (
    <section aria-label="run result" className="space-y-2">
      <p data-testid="run-version" className="text-sm text-slate-600">
        Ran <span className="font-medium text-slate-900">v{result.version}</span>
        {askedFor(target)}
      </p>
      <pre data-testid="run-output" className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 text-sm whitespace-pre-wrap text-slate-100">
        {result.output}
      </pre>
      <dl className="grid grid-cols-2 gap-x-3 gap-y-1 text-sm">
        {facts.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-slate-500">{term}</dt>
            <dd className="tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600">Prompt as sent</summary>
        <pre className="mt-1 max-h-60 overflow-auto rounded-md bg-slate-100 p-2 text-xs whitespace-pre-wrap">{result.rendered}</pre>
      </details>
    </section>
  );
}

/**
 * Runs the latest version, one version or a label's version with values for that version's
 * {{variables}}; each run is traced, and the result says which version ran.
 */
export function RunPanel({ prompt }: { prompt: Prompt }) {
  const [chosen, setChosen] = useState<RunTarget>(LATEST);
  const target = currentTarget(chosen, prompt);
  const version = targetVersion(target, prompt);
  // The latest version's text comes with the prompt; any other is fetched (once).
  const older = useVersion(prompt.id, version === prompt.version ? null : version);
  const content = version === prompt.version ? prompt.content : older.data?.content;
  const variables = content === undefined ? [] : templateVariables(content);
  const [values, setValues] = useState<Record<string, string>>({});
  const models = useModels();
  const [picked, setPicked] = useState("");
  const model = picked || defaultModel(models.data ?? []);
  const [maxTokens, setMaxTokens] = useState("");
  const [temperature, setTemperature] = useState("0");
  const [noCache, setNoCache] = useState(false);

  const run = useMutation({
    mutationFn: (asked: { target: RunTarget; variables: string[] }) => {
      const params: RunRequest["params"] = {};
      if (temperature !== "") params.temperature = Number(temperature);
      if (maxTokens !== "") params.max_tokens = Number(maxTokens);
      const body: RunRequest = {
        variables: Object.fromEntries(asked.variables.map((name) => [name, values[name] ?? ""])),
        version: asked.target.kind === "version" ? asked.target.version : undefined,
        label: asked.target.kind === "label" ? asked.target.label : undefined,
        model: model || undefined,
        params,
        no_cache: noCache,
      };
      return api.post<RunResult>(`/prompts/${encodeURIComponent(prompt.id)}/run`, body);
    },
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Run</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (content !== undefined) run.mutate({ target, variables });
          }}
        >
          <RunTargetSelect prompt={prompt} value={target} onChange={setChosen} />
          {target.kind === "label" && (
            <p className="text-xs text-slate-500">
              Runs the version {target.label} points at when you run it: v{version} now.
            </p>
          )}
          {content === undefined && older.isPending && <Loading what={`Loading v${version}`} />}
          {content === undefined && <ErrorMessage error={older.error} />}
          {variables.map((name) => (
            <div key={name}>
              <Label htmlFor={`run-var-${name}`}>{name}</Label>
              <Textarea
                id={`run-var-${name}`}
                rows={2}
                className="min-h-0 font-sans"
                value={values[name] ?? ""}
                onChange={(e) => setValues({ ...values, [name]: e.target.value })}
              />
            </div>
          ))}
          <ModelSelect models={models} value={model} onChange={setPicked} />
          <div className="grid grid-cols-2 gap-3">
            <div>
              <Label htmlFor="run-max-tokens">Max tokens</Label>
              <Input id="run-max-tokens" type="number" min={1} placeholder="model default" value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} />
            </div>
            <div>
              <Label htmlFor="run-temperature">Temperature</Label>
              <Input id="run-temperature" type="number" min={0} max={2} step={0.1} value={temperature} onChange={(e) => setTemperature(e.target.value)} />
            </div>
          </div>
          <label className="flex items-center gap-2 text-sm text-slate-600">
            <input type="checkbox" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} />
            Skip the response cache
          </label>
          <Button type="submit" disabled={run.isPending || content === undefined}>
            {run.isPending ? <Loader2 className="h-4 w-4 animate-spin" /> : null}
            Run
          </Button>
        </form>
        <div className="mt-4 space-y-3">
          {run.isPending && <Loading what="Running the model (the local one takes a few seconds)" />}
          <ErrorMessage error={run.error} />
          {run.data && !run.isPending && <RunOutput result={run.data} target={run.variables.target} />}
        </div>
      </CardContent>
    </Card>
  );
}
