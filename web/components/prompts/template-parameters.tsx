"use client";

import { EmptyState, ErrorMessage, Loading } from "@/components/feedback";
import { Input, Label, Select } from "@/components/ui/input";
import type { ParameterSpec, Template } from "@/lib/types/prompts";

import { useTemplates } from "./queries";

/** What the person typed for each parameter: text, or a tick for a bool. */
export type ParameterInput = Record<string, string | boolean>;

/**
 * Typed template variables from the form. Numbers and JSON that do not parse are sent as
 * typed, so the server's 422 names the parameter and the type it wanted.
 */
export function parameterValues(template: Template, input: ParameterInput): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const p of template.parameters) {
    const raw = input[p.name];
    if (p.type === "bool") {
      // An untouched box is "false" for a required flag and the default for an optional one.
      if (raw !== undefined || p.required) values[p.name] = raw === true;
      continue;
    }
    if (typeof raw !== "string" || raw.trim() === "") continue; // optional ones take their default
    values[p.name] = convert(p, raw.trim());
  }
  return values;
}

function convert(p: ParameterSpec, text: string): unknown {
  if (p.type === "int" || p.type === "float") {
    const n = Number(text);
    return Number.isNaN(n) ? text : n;
  }
  if (p.type === "list" || p.type === "dict") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function ParameterField({ parameter, value, onChange }: {
  parameter: ParameterSpec;
  value: string | boolean | undefined;
  onChange: (value: string | boolean) => void;
}) {
  const id = `template-param-${parameter.name}`;
  const hint = `${parameter.type}${parameter.required ? ", required" : ""}${parameter.description ? ` — ${parameter.description}` : ""}`;
  if (parameter.type === "bool") {
    return (
      <label className="flex items-center gap-2 text-sm">
        <input id={id} type="checkbox" checked={value === true || (value === undefined && parameter.default === true)} onChange={(e) => onChange(e.target.checked)} />
        {parameter.name}
        <span className="text-xs text-slate-500">({hint})</span>
      </label>
    );
  }
  const placeholder =
    parameter.default !== null && parameter.default !== undefined
      ? `default: ${JSON.stringify(parameter.default)}`
      : parameter.type === "list"
        ? '["a", "b"]'
        : parameter.type === "dict"
          ? '{"key": "value"}'
          : "";
  return (
    <div>
      <Label htmlFor={id}>{parameter.name}</Label>
      <Input id={id} value={typeof value === "string" ? value : ""} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
      <p className="mt-0.5 text-xs text-slate-500">{hint}</p>
    </div>
  );
}

/** Pick a template (`GET /templates`) and fill in its declared parameters. */
export function TemplateParameters({ templateId, onTemplate, input, onInput }: {
  templateId: string;
  onTemplate: (id: string) => void;
  input: ParameterInput;
  onInput: (input: ParameterInput) => void;
}) {
  const templates = useTemplates();
  if (templates.isPending) return <Loading what="Loading templates" />;
  if (templates.error) return <ErrorMessage error={templates.error} />;
  const items = templates.data.items;
  if (items.length === 0) {
    return (
      <EmptyState title="No templates yet">
        Create one with <code className="rounded bg-slate-100 px-1">POST /api/v1/templates</code> (see API docs), or write
        the content yourself.
      </EmptyState>
    );
  }
  const template = items.find((t) => t.id === templateId);
  return (
    <div className="space-y-3">
      <div>
        <Label htmlFor="new-prompt-template">Template</Label>
        <Select id="new-prompt-template" value={templateId} onChange={(e) => onTemplate(e.target.value)}>
          <option value="">choose a template…</option>
          {items.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
              {t.category ? ` (${t.category})` : ""}
            </option>
          ))}
        </Select>
        {templates.data.next_cursor && <p className="mt-1 text-xs text-slate-500">Showing the newest 100 templates.</p>}
      </div>
      {template && (
        <>
          {template.description && <p className="text-sm text-slate-600">{template.description}</p>}
          <pre className="max-h-40 overflow-auto rounded-md bg-slate-100 p-2 text-xs whitespace-pre-wrap">{template.content}</pre>
          {template.parameters.length > 0 && (
            <fieldset className="space-y-3">
              <legend className="mb-2 text-sm font-medium text-slate-700">Template parameters</legend>
              {template.parameters.map((p) => (
                <ParameterField key={p.name} parameter={p} value={input[p.name]} onChange={(v) => onInput({ ...input, [p.name]: v })} />
              ))}
            </fieldset>
          )}
        </>
      )}
    </div>
  );
}
