// Shapes of /api/v1/datasets (src/autoforge/datasets/schemas.py and
// src/autoforge/evaluations/scoring.py).

import type { AssertionSet } from "./evaluations";

export type Difficulty = "easy" | "medium" | "hard";

/** What a case is about; keys other than these three are kept as given. */
export type ItemMetadata = {
  category?: string | null;
  difficulty?: Difficulty | null;
  features_tested?: string[];
  [extra: string]: unknown;
};

/** `given` with the version (or carried over from the previous version's given one), or
 *  `inferred` from its expected answers (labels, JSON or free text). */
export type ScoringSource = "given" | "inferred";

/** The generation settings a dataset suggests for every case's call. */
export type GenerationDefaults = {
  max_tokens?: number | null;
  stop?: string[] | null;
  temperature?: number | null;
};

/** How a version's cases are scored unless a run says otherwise. */
export type Scoring = {
  assertions: AssertionSet;
  generation: GenerationDefaults;
  source: ScoringSource;
  /** why these defaults, in plain words */
  explanation: string;
};

export type DatasetVersionInfo = {
  id: string;
  dataset_id: string;
  version: number;
  item_count: number;
  note: string | null;
  /** how runs score these items unless they say otherwise */
  scoring: Scoring;
  created_by: string;
  created_at: string;
};

export type Dataset = {
  id: string;
  name: string;
  description: string | null;
  /** 0 while the dataset has no version */
  latest_version: number;
  latest: DatasetVersionInfo | null;
  created_at: string;
  updated_at: string;
};

/** Without `scoring` the API infers it from the expected answers. */
export type DatasetCreate = { name: string; description?: string | null; scoring?: Scoring | null };

export type VersionPage = { items: DatasetVersionInfo[]; next_before: number | null };

export type DatasetItem = {
  name: string;
  position: number;
  input: Record<string, unknown>;
  expected: string | null;
  metadata: ItemMetadata;
};

export type ItemPage = {
  dataset_id: string;
  version: number;
  total: number;
  items: DatasetItem[];
  next_offset: number | null;
};

export type ImportFormat = "jsonl" | "csv";
export type VersionMode = "replace" | "append";
