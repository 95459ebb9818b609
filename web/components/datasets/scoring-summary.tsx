import { describeScoring, sourceWords } from "@/lib/scoring";
import type { Scoring } from "@/lib/types/datasets";

/**
 * A dataset version's default scoring in plain words: what is checked, the generation
 * settings, where it came from (given or inferred), and the API's own reason for it.
 * Shown wherever a run will use it, so nobody optimizes against a check they never saw.
 */
export function ScoringSummary({
  scoring,
  title,
  testId,
}: {
  scoring: Scoring;
  /** e.g. "Scoring of sentiment v2" */
  title: string;
  testId?: string;
}) {
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm" data-testid={testId}>
      <p className="text-xs font-medium uppercase text-slate-500">
        {title} <span className="normal-case">({sourceWords(scoring.source)})</span>
      </p>
      <p className="mt-1 text-slate-900">{describeScoring(scoring.assertions, scoring.generation)}</p>
      {scoring.explanation && <p className="mt-1 text-xs text-slate-600">Why: {scoring.explanation}</p>}
    </div>
  );
}
