// Shapes of /api/v1/datasets (src/autoforge/datasets/schemas.py).

export type Difficulty = "easy" | "medium" | "hard";

/** What a case is about; keys other than these three are kept as given. */
export type ItemMetadata = {
  category?: string | null;
  difficulty?: Difficulty | null;
  features_tested?: string[];
  [extra: string]: unknown;
};

export type DatasetVersionInfo = {
  id: string;
  dataset_id: string;
  version: number;
  item_count: number;
  note: string | null;
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

export type DatasetCreate = { name: string; description?: string | null };

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
