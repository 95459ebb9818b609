// Shapes of the prompt, template, run and model APIs the prompt pages use, copied from
// src/autoforge/{prompts,templates,runs,llm}/schemas.py. Dates are ISO strings.

import type { Page } from "@/lib/api";

export type PromptStatus = "draft" | "active" | "archived";

export const PROMPT_STATUSES: PromptStatus[] = ["draft", "active", "archived"];

/** Nothing goes back to draft. */
export type TargetStatus = Exclude<PromptStatus, "draft">;

/** Mirrors prompts/domain.py TRANSITIONS: the API has no endpoint that lists them. */
export const STATUS_TRANSITIONS: Record<PromptStatus, TargetStatus[]> = {
  draft: ["active", "archived"],
  active: ["archived"],
  archived: ["active"],
};

export type Visibility = "private" | "shared" | "public";

export const VISIBILITY_TEXT: Record<Visibility, string> = {
  private: "Private: this project only",
  shared: "Shared: readable by the organization's projects",
  public: "Public: readable by anyone who may read prompts here",
};

export type Prompt = {
  id: string;
  name: string;
  title: string;
  content: string;
  status: PromptStatus;
  visibility: Visibility;
  /** The project it belongs to: another one for a prompt shared with yours. */
  project_id: string;
  version: number;
  tags: string[];
  /** label -> version number */
  labels: Record<string, number>;
  metadata: Record<string, unknown>;
  parent_id: string | null;
  template_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
};

export type PromptPage = Page<Prompt>;

/** Either `content`, or `template_id` with `variables`. */
export type PromptCreate = {
  name: string;
  title: string;
  content?: string;
  template_id?: string;
  variables?: Record<string, unknown>;
  status?: PromptStatus;
  tags?: string[];
  change_note?: string;
};

export type PromptUpdate = {
  title?: string;
  content?: string;
  tags?: string[];
  change_note?: string;
  /** The version the edit started from; a stale one is a 409 with `current_version`. */
  base_version: number;
};

export type PromptVersion = {
  prompt_id: string;
  version: number;
  title: string;
  content: string;
  change_note: string | null;
  created_by: string;
  created_at: string;
  labels: string[];
};

export type VersionPage = { items: PromptVersion[]; next_before: number | null };

export type Rollback = { version: number; base_version?: number; change_note?: string };

export type PromptLabel = {
  prompt_id: string;
  label: string;
  version: number;
  updated_by: string;
  updated_at: string;
};

export type ParameterType = "str" | "int" | "float" | "bool" | "list" | "dict";

export type ParameterSpec = {
  name: string;
  type: ParameterType;
  required: boolean;
  default: unknown;
  description: string | null;
};

export type Template = {
  id: string;
  name: string;
  description: string | null;
  content: string;
  parameters: ParameterSpec[];
  variables: string[];
  category: string | null;
  usage_count: number;
  created_at: string;
  updated_at: string;
};

export type TemplatePage = Page<Template>;

export type ModelInfo = { name: string; available: boolean; detail: string; is_default: boolean };

export type RunRequest = {
  variables: Record<string, unknown>;
  version?: number;
  label?: string;
  model?: string;
  params?: { temperature?: number; max_tokens?: number };
  no_cache?: boolean;
};

/** What the Run panel runs: the latest version, one version, or whatever a label points at. */
export type RunTarget =
  | { kind: "latest" }
  | { kind: "version"; version: number }
  | { kind: "label"; label: string };

export type RunResult = {
  trace_id: string;
  prompt_id: string;
  prompt_name: string;
  version: number;
  model: string;
  rendered: string;
  output: string;
  finish_reason: string | null;
  usage: {
    tokens_in: number;
    tokens_out: number;
    /** null: unpriced (no price known for the model) */
    cost_usd: number | null;
    unpriced: boolean;
    latency_ms: number;
    cache_hit: boolean;
    attempts: number;
  };
};
