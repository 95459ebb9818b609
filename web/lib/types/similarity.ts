// Bodies of /api/v1/prompts/{id}/similar and /api/v1/prompts:search (src/autoforge/similarity/schemas.py).

export type SimilarPrompt = {
  id: string;
  name: string;
  title: string;
  version: number;
  status: string;
  similarity: number;
};

export type SimilarPrompts = {
  items: SimilarPrompt[];
  k: number;
  threshold: number;
  method: "index" | "exact";
  pending: number;
};
