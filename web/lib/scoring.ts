// Scoring in plain words: what a dataset version's (or a run's) assertions and generation
// settings check, so a person can see before a run what "a better prompt" will mean.
// Pure: the shapes of src/autoforge/evaluations/assertions and scoring.py.

import type { GenerationDefaults, ScoringSource } from "@/lib/types/datasets";
import type { AssertionSet, AssertionSpec } from "@/lib/types/evaluations";

const RUBRIC_PREVIEW = 60;

/** One assertion: "equals the expected answer on the first line, case-insensitive". */
export function describeAssertion(spec: AssertionSpec): string {
  const text = assertionText(spec);
  const weight = spec.weight ?? 1;
  return weight === 1 ? text : `${text} (weight ${weight})`;
}

function reference(value: string | null | undefined): string {
  return value == null ? "the expected answer" : JSON.stringify(value);
}

function assertionText(spec: AssertionSpec): string {
  switch (spec.type) {
    case "equals":
      return [
        `equals ${reference(spec.value)}${spec.first_line ? " on the first line" : ""}`,
        spec.ignore_case ? "case-insensitive" : null,
        spec.strip ? "ignoring surrounding whitespace" : null,
      ]
        .filter(Boolean)
        .join(", ");
    case "contains":
      return `contains ${reference(spec.value)}`;
    case "icontains":
      return `contains ${reference(spec.value)}, case-insensitive`;
    case "regex":
      return `${spec.full_match ? "matches as a whole" : "matches"} /${spec.pattern}/${spec.ignore_case ? ", case-insensitive" : ""}`;
    case "length": {
      const { min_chars: min, max_chars: max } = spec;
      if (min != null && max != null) return `is ${min}–${max} characters long`;
      if (min != null) return `is at least ${min} ${min === 1 ? "character" : "characters"} long`;
      if (max != null) return `is at most ${max} characters long`;
      return "has any length";
    }
    case "is_json":
      return spec.extract ? "holds JSON (found inside the text)" : "is JSON";
    case "json_schema":
      return `${spec.extract ? "holds JSON" : "is JSON"} that fits a schema`;
    case "json_match": {
      const what = spec.mode === "subset" ? "holds the keys and values of" : "equals";
      return `its JSON ${what} ${spec.value == null ? "the expected JSON" : JSON.stringify(spec.value)}`;
    }
    case "similarity":
      return `means nearly the same as ${reference(spec.value)} (similarity ≥ ${spec.threshold ?? 0.7})`;
    case "llm_judge": {
      const rubric = spec.rubric.length > RUBRIC_PREVIEW ? `${spec.rubric.slice(0, RUBRIC_PREVIEW)}…` : spec.rubric;
      return `a judge model rates it ≥ ${spec.threshold ?? 0.5} on "${rubric}"`;
    }
    case "latency":
      return `answered within ${spec.max_ms} ms`;
    case "cost":
      return `costs at most $${spec.max_usd}`;
  }
}

/** The assertions, joined; with more than one, the share of weight a case needs to pass. */
export function describeAssertions(set: AssertionSet): string {
  const parts = set.assertions.map(describeAssertion);
  const threshold = set.pass_threshold ?? 1;
  const joined = parts.join(" and ");
  if (parts.length < 2) return joined;
  return threshold >= 1 ? `${joined} (all must pass)` : `${joined} (passes at ${Math.round(threshold * 100)} % of the weight)`;
}

/** A stop sequence as a person reads it: "\n" is "newline". */
function stopWord(stop: string): string {
  if (stop === "\n") return "newline";
  if (stop === "\n\n") return "blank line";
  return JSON.stringify(stop);
}

/** "max 7 tokens; stop at newline; temperature 0"; "" when nothing is set. */
export function describeGeneration(generation: GenerationDefaults): string {
  const parts: string[] = [];
  if (generation.max_tokens != null) parts.push(`max ${generation.max_tokens} tokens`);
  if (generation.stop != null) {
    parts.push(generation.stop.length === 0 ? "no stop sequence" : `stop at ${generation.stop.map(stopWord).join(" or ")}`);
  }
  if (generation.temperature != null) parts.push(`temperature ${generation.temperature}`);
  return parts.join("; ");
}

/** Everything a run scores with on one line: assertions first, then generation settings. */
export function describeScoring(assertions: AssertionSet, generation: GenerationDefaults): string {
  return [describeAssertions(assertions), describeGeneration(generation)].filter(Boolean).join("; ");
}

/** Where a version's scoring came from. A version created without scoring keeps the
 *  previous version's when that was given, so "given" covers "inherited" too. */
export function sourceWords(source: ScoringSource): string {
  return source === "inferred" ? "inferred from its expected answers" : "given with the dataset";
}
