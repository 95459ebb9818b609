"use client";

import { Trash2 } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Input, Label, Select, Textarea } from "@/components/ui/input";
import type { AssertionSet, AssertionSpec, AssertionType } from "@/lib/types/evaluations";

/** One assertion as the form holds it: every parameter as typed, converted on submit. */
export type AssertionDraft = {
  key: number;
  type: AssertionType;
  weight: string;
  value: string;
  ignoreCase: boolean;
  strip: boolean;
  firstLine: boolean;
  pattern: string;
  fullMatch: boolean;
  minChars: string;
  maxChars: string;
  extract: boolean;
  jsonSchema: string;
  matchMode: "equals" | "subset";
  threshold: string;
  rubric: string;
  maxMs: string;
  maxUsd: string;
};

type Field = Exclude<keyof AssertionDraft, "key" | "type" | "weight">;

// What each assertion checks and the parameters it takes (src/autoforge/evaluations/assertions).
const TYPES: Record<AssertionType, { summary: string; fields: Field[] }> = {
  equals: { summary: "output equals the expected output", fields: ["value", "ignoreCase", "strip", "firstLine"] },
  contains: { summary: "output contains the expected output (case-sensitive)", fields: ["value"] },
  icontains: { summary: "output contains the expected output, ignoring case", fields: ["value"] },
  regex: { summary: "output matches a regular expression", fields: ["pattern", "ignoreCase", "fullMatch"] },
  length: { summary: "output length in characters within bounds", fields: ["minChars", "maxChars"] },
  is_json: { summary: "output is JSON", fields: ["extract"] },
  json_schema: { summary: "output's JSON fits a JSON Schema", fields: ["jsonSchema", "extract"] },
  json_match: { summary: "output's JSON equals (or contains) the expected JSON", fields: ["matchMode", "value", "extract"] },
  similarity: { summary: "embedding similarity to the expected output", fields: ["value", "threshold"] },
  llm_judge: { summary: "a judge model grades the output against a rubric", fields: ["rubric", "threshold"] },
  latency: { summary: "the model answered in time", fields: ["maxMs"] },
  cost: { summary: "the call cost at most a budget", fields: ["maxUsd"] },
};

export const ASSERTION_TYPES = Object.keys(TYPES) as AssertionType[];

let nextKey = 1;

export function newDraft(type: AssertionType = "icontains"): AssertionDraft {
  return {
    key: nextKey++,
    type,
    weight: "1",
    value: "",
    ignoreCase: false,
    strip: false,
    firstLine: false,
    pattern: "",
    fullMatch: false,
    minChars: "",
    maxChars: "",
    extract: false,
    jsonSchema: "",
    matchMode: "equals",
    threshold: "",
    rubric: "",
    maxMs: "",
    maxUsd: "",
  };
}

/** "" is "not given"; anything else must be a number. */
function number(text: string, what: string): number | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${what} must be a number`);
  return value;
}

function required(text: string, what: string): string {
  if (text.trim() === "") throw new Error(`${what} is required`);
  return text;
}

/** The spec the API takes; throws an Error saying which parameter is wrong. The API checks the rest. */
function toSpec(draft: AssertionDraft): AssertionSpec {
  const weight = number(draft.weight, "weight");
  const value = draft.value === "" ? undefined : draft.value;
  const threshold = number(draft.threshold, "threshold");
  switch (draft.type) {
    case "equals":
      return { type: "equals", weight, value, ignore_case: draft.ignoreCase, strip: draft.strip, first_line: draft.firstLine };
    case "contains":
    case "icontains":
      return { type: draft.type, weight, value };
    case "regex":
      return {
        type: "regex",
        weight,
        pattern: required(draft.pattern, "pattern"),
        ignore_case: draft.ignoreCase,
        full_match: draft.fullMatch,
      };
    case "length":
      return { type: "length", weight, min_chars: number(draft.minChars, "min chars"), max_chars: number(draft.maxChars, "max chars") };
    case "is_json":
      return { type: "is_json", weight, extract: draft.extract };
    case "json_schema": {
      let schema: unknown;
      try {
        schema = JSON.parse(required(draft.jsonSchema, "JSON Schema"));
      } catch (error) {
        throw new Error(`JSON Schema is not valid JSON: ${(error as Error).message}`);
      }
      if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw new Error("JSON Schema must be an object");
      return { type: "json_schema", weight, json_schema: schema as Record<string, unknown>, extract: draft.extract };
    }
    case "json_match":
      return { type: "json_match", weight, mode: draft.matchMode, value, extract: draft.extract };
    case "similarity":
      return { type: "similarity", weight, value, threshold };
    case "llm_judge":
      return { type: "llm_judge", weight, rubric: required(draft.rubric, "rubric"), threshold };
    case "latency":
      return { type: "latency", weight, max_ms: number(required(draft.maxMs, "max ms"), "max ms") as number };
    case "cost":
      return { type: "cost", weight, max_usd: number(required(draft.maxUsd, "max USD"), "max USD") as number };
  }
}

function text(value: number | string | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** The form's draft of an existing assertion (e.g. a dataset's scoring, to edit from). */
export function draftFromSpec(spec: AssertionSpec): AssertionDraft {
  const draft: AssertionDraft = { ...newDraft(spec.type), weight: text(spec.weight ?? 1) };
  switch (spec.type) {
    case "equals":
      return { ...draft, value: text(spec.value), ignoreCase: !!spec.ignore_case, strip: !!spec.strip, firstLine: !!spec.first_line };
    case "contains":
    case "icontains":
      return { ...draft, value: text(spec.value) };
    case "regex":
      return { ...draft, pattern: spec.pattern, ignoreCase: !!spec.ignore_case, fullMatch: !!spec.full_match };
    case "length":
      return { ...draft, minChars: text(spec.min_chars), maxChars: text(spec.max_chars) };
    case "is_json":
      return { ...draft, extract: !!spec.extract };
    case "json_schema":
      return { ...draft, jsonSchema: JSON.stringify(spec.json_schema, null, 2), extract: !!spec.extract };
    case "json_match":
      return { ...draft, matchMode: spec.mode ?? "equals", value: text(spec.value), extract: !!spec.extract };
    case "similarity":
      return { ...draft, value: text(spec.value), threshold: text(spec.threshold) };
    case "llm_judge":
      return { ...draft, rubric: spec.rubric, threshold: text(spec.threshold) };
    case "latency":
      return { ...draft, maxMs: text(spec.max_ms) };
    case "cost":
      return { ...draft, maxUsd: text(spec.max_usd) };
  }
}

/** The drafts and pass threshold of an assertion set, the inverse of `toAssertionSet`. */
export function draftsFromSet(set: AssertionSet): { drafts: AssertionDraft[]; passThreshold: string } {
  return { drafts: set.assertions.map(draftFromSpec), passThreshold: text(set.pass_threshold) };
}

/** The assertion set to send; throws an Error naming the assertion and parameter at fault. */
export function toAssertionSet(drafts: AssertionDraft[], passThreshold: string): AssertionSet {
  if (drafts.length === 0) throw new Error("Add at least one assertion, or use the default assertions.");
  const assertions = drafts.map((draft, index) => {
    try {
      return toSpec(draft);
    } catch (error) {
      throw new Error(`Assertion ${index + 1} (${draft.type}): ${(error as Error).message}`);
    }
  });
  return { assertions, pass_threshold: number(passThreshold, "pass threshold") };
}

export function AssertionEditor({
  drafts,
  onChange,
  passThreshold,
  onPassThreshold,
}: {
  drafts: AssertionDraft[];
  onChange: (drafts: AssertionDraft[]) => void;
  passThreshold: string;
  onPassThreshold: (value: string) => void;
}) {
  const update = (key: number, patch: Partial<AssertionDraft>) =>
    onChange(drafts.map((draft) => (draft.key === key ? { ...draft, ...patch } : draft)));

  return (
    <div className="space-y-3">
      {drafts.map((draft, index) => (
        <AssertionFields
          key={draft.key}
          index={index}
          draft={draft}
          onChange={(patch) => update(draft.key, patch)}
          onRemove={() => onChange(drafts.filter((d) => d.key !== draft.key))}
        />
      ))}
      <div className="flex flex-wrap items-end gap-4">
        <Button variant="outline" size="sm" onClick={() => onChange([...drafts, newDraft()])}>
          Add assertion
        </Button>
        <div className="w-40">
          <Label htmlFor="pass-threshold">Pass threshold</Label>
          <Input
            id="pass-threshold"
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={passThreshold}
            onChange={(e) => onPassThreshold(e.target.value)}
            placeholder="1.0"
          />
        </div>
        <p className="max-w-md text-xs text-slate-500">
          A case passes when the weighted share of its passing assertions reaches the threshold (1.0: all must pass). Its
          score is the weighted mean of the assertions&apos; scores.
        </p>
      </div>
    </div>
  );
}

function AssertionFields({
  index,
  draft,
  onChange,
  onRemove,
}: {
  index: number;
  draft: AssertionDraft;
  onChange: (patch: Partial<AssertionDraft>) => void;
  onRemove: () => void;
}) {
  const id = (field: string) => `assertion-${draft.key}-${field}`;
  const has = (field: Field) => TYPES[draft.type].fields.includes(field);
  const text = (field: Field, label: string, placeholder?: string) => (
    <div className="min-w-40 flex-1">
      <Label htmlFor={id(field)}>{label}</Label>
      <Input id={id(field)} value={draft[field] as string} placeholder={placeholder} onChange={(e) => onChange({ [field]: e.target.value })} />
    </div>
  );
  const numeric = (field: Field | "weight", label: string, placeholder?: string, step = "any") => (
    <div className="w-32">
      <Label htmlFor={id(field)}>{label}</Label>
      <Input
        id={id(field)}
        type="number"
        step={step}
        min={0}
        value={draft[field] as string}
        placeholder={placeholder}
        onChange={(e) => onChange({ [field]: e.target.value })}
      />
    </div>
  );
  const flag = (field: Field, label: string) => (
    <label className="flex items-center gap-2 text-sm text-slate-700">
      <input type="checkbox" checked={draft[field] as boolean} onChange={(e) => onChange({ [field]: e.target.checked })} />
      {label}
    </label>
  );

  return (
    <fieldset className="rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-xs font-medium text-slate-600">Assertion {index + 1}</legend>
      <div className="flex flex-wrap items-end gap-3">
        <div className="w-72">
          <Label htmlFor={id("type")}>Type</Label>
          <Select id={id("type")} value={draft.type} onChange={(e) => onChange({ type: e.target.value as AssertionType })}>
            {ASSERTION_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}: {TYPES[type].summary}
              </option>
            ))}
          </Select>
        </div>
        {numeric("weight", "Weight", "1")}
        {has("matchMode") && (
          <div className="w-32">
            <Label htmlFor={id("matchMode")}>Match</Label>
            <Select id={id("matchMode")} value={draft.matchMode} onChange={(e) => onChange({ matchMode: e.target.value as "equals" | "subset" })}>
              <option value="equals">equals</option>
              <option value="subset">subset</option>
            </Select>
          </div>
        )}
        {has("value") && text("value", "Value", "default: the case's expected output")}
        {has("pattern") && text("pattern", "Pattern", "^\\s*(positive|negative)\\s*$")}
        {has("minChars") && numeric("minChars", "Min chars", "", "1")}
        {has("maxChars") && numeric("maxChars", "Max chars", "", "1")}
        {has("threshold") && numeric("threshold", "Threshold", draft.type === "similarity" ? "0.7" : "0.5", "0.05")}
        {has("maxMs") && numeric("maxMs", "Max ms")}
        {has("maxUsd") && numeric("maxUsd", "Max USD")}
        <Button variant="ghost" size="sm" onClick={onRemove} aria-label={`Remove assertion ${index + 1}`}>
          <Trash2 className="h-4 w-4" />
        </Button>
      </div>
      {has("rubric") && (
        <div className="mt-3">
          <Label htmlFor={id("rubric")}>Rubric</Label>
          <Textarea id={id("rubric")} rows={3} value={draft.rubric} onChange={(e) => onChange({ rubric: e.target.value })} placeholder="The answer names the right city and nothing else." />
        </div>
      )}
      {has("jsonSchema") && (
        <div className="mt-3">
          <Label htmlFor={id("jsonSchema")}>JSON Schema</Label>
          <Textarea
            id={id("jsonSchema")}
            rows={5}
            value={draft.jsonSchema}
            onChange={(e) => onChange({ jsonSchema: e.target.value })}
            placeholder='{"type": "object", "required": ["name"]}'
          />
        </div>
      )}
      {(has("ignoreCase") || has("strip") || has("firstLine") || has("fullMatch") || has("extract")) && (
        <div className="mt-3 flex flex-wrap gap-4">
          {has("ignoreCase") && flag("ignoreCase", "Ignore case")}
          {has("strip") && flag("strip", "Ignore surrounding whitespace")}
          {has("firstLine") && flag("firstLine", "First line only")}
          {has("fullMatch") && flag("fullMatch", "Whole output must match")}
          {has("extract") && flag("extract", "Find the JSON inside surrounding text")}
        </div>
      )}
    </fieldset>
  );
}
