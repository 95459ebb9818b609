// Shapes of POST /api/v1/promptfoo:import (src/autoforge/promptfoo/schemas.py).

/** A promptfoo config as YAML text, with the files it names by `file://` (path as the config
 *  writes it after `file://` -> the file's text). */
export type PromptfooImport = {
  name: string;
  config: string;
  files: Record<string, string>;
};

export type ImportedPrompt = {
  id: string;
  name: string;
  /** where in the config it came from, e.g. `prompts[0]` */
  source: string;
};

/** One assertion of the imported scoring; the import also makes composites (`not`, `group`,
 *  `per_case`) and word checks the evaluation types do not list, so only `type` is relied on. */
export type ImportedAssertion = { type: string; [field: string]: unknown };

export type PromptfooImportReport = {
  prompts: ImportedPrompt[];
  dataset_id: string;
  dataset_name: string;
  /** how many dataset items (promptfoo tests, after var expansion) */
  items: number;
  /** the dataset version's assertion set */
  assertions: { assertions: ImportedAssertion[]; pass_threshold?: number };
  /** how the per-test assertions became one scoring, in plain words */
  explanation: string;
  /** `location: why`, one per thing not imported */
  unsupported: string[];
};
