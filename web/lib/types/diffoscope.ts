// The intent diffoscope of an evaluation: GET /api/v1/evaluations/{id}/diffoscope.

export type RequirementKind =
  | "json"
  | "list"
  | "item_count"
  | "sentence_count"
  | "max_words"
  | "max_chars"
  | "language"
  | "tone"
  | "must_include"
  | "must_avoid"
  | "vocabulary"
  | "other";

export type ViolatingOutput = { test_case_name: string; output: string; reason: string };

export type RequirementReport = {
  id: string;
  kind: RequirementKind;
  description: string;
  start: number;
  end: number;
  quote: string;
  source: "rules" | "llm";
  params: Record<string, unknown>;
  checked: number;
  satisfied: number;
  share: number | null;
  violations: number;
  examples: ViolatingOutput[];
};

export type Diffoscope = {
  evaluation_id: string;
  prompt_id: string;
  prompt_version: number;
  prompt_text: string;
  outputs: number;
  gap_score: number | null;
  requirements: RequirementReport[];
  suggestions: string[];
  extraction_model: string | null;
  extraction_error: string | null;
};
