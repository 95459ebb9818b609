"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Fact } from "@/components/ui/fact";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import type { Diffoscope, RequirementReport } from "@/lib/types/diffoscope";
import { cn } from "@/lib/utils";

import { PromptLabel, shortId } from "./shared";

type Satisfaction = "kept" | "mostly" | "broken" | "unchecked";

// How well the outputs keep a requirement: all of them, at least 80 %, fewer, or not checkable.
function satisfactionOf(requirement: RequirementReport): Satisfaction {
  if (requirement.share === null) return "unchecked";
  if (requirement.share >= 1) return "kept";
  return requirement.share >= 0.8 ? "mostly" : "broken";
}

const RANK: Record<Satisfaction, number> = { unchecked: 0, kept: 1, mostly: 2, broken: 3 };
const MARK: Record<Satisfaction, string> = {
  kept: "bg-green-100 text-green-900 ring-green-300",
  mostly: "bg-amber-100 text-amber-900 ring-amber-300",
  broken: "bg-red-100 text-red-900 ring-red-300",
  unchecked: "bg-slate-100 text-slate-700 ring-slate-300",
};
const TONE: Record<Satisfaction, Tone> = { kept: "green", mostly: "amber", broken: "red", unchecked: "neutral" };

function shareText(requirement: RequirementReport): string {
  if (requirement.share === null) return "not checked";
  return `${Math.round(requirement.share * 100)} % kept`;
}

/** The prompt's requirements against the evaluation's outputs (GET /evaluations/{id}/diffoscope). */
export function DiffoscopeView({ id }: { id: string }) {
  const report = useQuery({
    queryKey: ["evaluations", id, "diffoscope"],
    queryFn: () => api.get<Diffoscope>(`/evaluations/${id}/diffoscope`, { examples: 10 }),
  });
  return (
    <div className="space-y-6">
      <PageTitle
        actions={
          <Link href={`/evaluations/view/?id=${id}`} className="text-sm text-slate-600 underline">
            Back to the evaluation
          </Link>
        }
      >
        Intent diffoscope · evaluation {shortId(id)}
      </PageTitle>
      {report.isPending && <Loading what="Checking the outputs against the prompt" />}
      <ErrorMessage error={report.error} />
      {report.data && <Report report={report.data} />}
    </div>
  );
}

function Report({ report }: { report: Diffoscope }) {
  const worst = [...report.requirements].sort((a, b) => (a.share ?? 2) - (b.share ?? 2))[0];
  const [selectedId, setSelectedId] = useState<string | null>(worst?.id ?? null);
  const selected = report.requirements.find((r) => r.id === selectedId) ?? null;
  return (
    <>
      <Summary report={report} />
      {report.suggestions.length > 0 && (
        <Card>
          <CardHeader>
            <CardTitle>Suggestions</CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="list-disc space-y-1 pl-5 text-sm" aria-label="Suggestions">
              {report.suggestions.map((line) => (
                <li key={line} data-testid="suggestion">
                  {line}
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      )}
      {report.requirements.length === 0 ? (
        <EmptyState title="The prompt states no requirement the diffoscope recognises">
          It looks for formats (JSON, lists, counts of items or sentences, length limits), a language, tone words,
          phrases to include or avoid, and the allowed answers. Set JUDGE_MODEL to a capable model to also let a model
          read the prompt.
        </EmptyState>
      ) : (
        <div className="grid gap-6 lg:grid-cols-2">
          <div className="space-y-6">
            <PromptText report={report} selectedId={selectedId} onSelect={setSelectedId} />
            <Requirements report={report} selectedId={selectedId} onSelect={setSelectedId} />
          </div>
          <Violations requirement={selected} />
        </div>
      )}
    </>
  );
}

function Summary({ report }: { report: Diffoscope }) {
  return (
    <Card>
      <CardContent className="space-y-2">
        <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
          <Fact term="Gap score">
            <span data-testid="gap-score" className="text-lg font-semibold">
              {report.gap_score === null ? "—" : report.gap_score.toFixed(2)}
            </span>{" "}
            <span className="text-xs text-slate-500">0 = every requirement kept</span>
          </Fact>
          <Fact term="Prompt">
            <PromptLabel promptId={report.prompt_id} version={report.prompt_version} />
          </Fact>
          <Fact term="Outputs checked">{report.outputs}</Fact>
          <Fact term="Extracted by">
            {report.extraction_model ? `rules and ${report.extraction_model}` : "rules"}
          </Fact>
        </dl>
        {report.extraction_error && (
          <p className="text-sm text-amber-700">Model extraction skipped: {report.extraction_error}</p>
        )}
      </CardContent>
    </Card>
  );
}

type Segment = { start: number; end: number; covering: RequirementReport[] };

/** The text cut at every requirement's start and end, each piece with the requirements over it. */
function segments(text: string, requirements: RequirementReport[]): Segment[] {
  const cuts = new Set([0, text.length]);
  for (const r of requirements) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  return points.slice(0, -1).map((start, index) => {
    const end = points[index + 1];
    return { start, end, covering: requirements.filter((r) => r.start < end && start < r.end) };
  });
}

function PromptText({
  report,
  selectedId,
  onSelect,
}: {
  report: Diffoscope;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const text = report.prompt_text;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Prompt, with what it asks for highlighted</CardTitle>
      </CardHeader>
      <CardContent>
        <pre
          data-testid="diffoscope-prompt"
          className="whitespace-pre-wrap break-words font-mono text-sm leading-7 text-slate-800"
        >
          {segments(text, report.requirements).map(({ start, end, covering }) => {
            const piece = text.slice(start, end);
            if (covering.length === 0) return <span key={start}>{piece}</span>;
            const shown = covering.reduce((a, b) => (RANK[satisfactionOf(b)] > RANK[satisfactionOf(a)] ? b : a));
            const satisfaction = satisfactionOf(shown);
            return (
              <mark
                key={start}
                role="button"
                tabIndex={0}
                data-testid="requirement-span"
                data-requirement-ids={covering.map((r) => r.id).join(" ")}
                data-satisfaction={satisfaction}
                title={covering.map((r) => `${r.id} ${r.description}: ${shareText(r)}`).join("\n")}
                onClick={() => onSelect(shown.id)}
                onKeyDown={(event) => event.key === "Enter" && onSelect(shown.id)}
                className={cn(
                  "cursor-pointer rounded px-0.5 ring-1",
                  MARK[satisfaction],
                  covering.some((r) => r.id === selectedId) && "ring-2 ring-slate-900",
                )}
              >
                {piece}
              </mark>
            );
          })}
        </pre>
      </CardContent>
    </Card>
  );
}

function Requirements({
  report,
  selectedId,
  onSelect,
}: {
  report: Diffoscope;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Requirements</CardTitle>
      </CardHeader>
      <CardContent>
        <Table aria-label="Requirements">
          <thead>
            <tr>
              <Th>Requirement</Th>
              <Th>Found by</Th>
              <Th>Kept</Th>
              <Th>Broken</Th>
            </tr>
          </thead>
          <tbody>
            {report.requirements.map((r) => (
              <tr
                key={r.id}
                data-testid="requirement-row"
                data-requirement-id={r.id}
                data-satisfaction={satisfactionOf(r)}
                className={cn(r.id === selectedId && "bg-slate-50")}
              >
                <Td>
                  <button type="button" className="text-left underline-offset-2 hover:underline" onClick={() => onSelect(r.id)}>
                    <span className="font-mono text-xs text-slate-500">{r.id}</span> {r.description}
                  </button>
                </Td>
                <Td className="text-slate-600">{r.source === "llm" ? "model" : "rule"}</Td>
                <Td>
                  <Badge tone={TONE[satisfactionOf(r)]}>{shareText(r)}</Badge>
                </Td>
                <Td>
                  {r.violations} / {r.checked}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </CardContent>
    </Card>
  );
}

function Violations({ requirement }: { requirement: RequirementReport | null }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          Violating outputs{requirement ? ` · ${requirement.id} ${requirement.description}` : ""}
        </CardTitle>
      </CardHeader>
      <CardContent>
        {requirement === null || requirement.examples.length === 0 ? (
          <p className="text-sm text-slate-500">
            {requirement === null
              ? "Pick a requirement in the prompt or the table."
              : requirement.share === null
                ? "No output could be checked against this requirement."
                : "Every checked output keeps this requirement."}
          </p>
        ) : (
          <ul className="space-y-3" aria-label="Violating outputs" data-requirement-id={requirement.id}>
            {requirement.examples.map((example) => (
              <li key={example.test_case_name} data-testid="violating-output" className="rounded border border-red-200 p-3">
                <p className="flex items-center justify-between gap-2 text-sm">
                  <span className="font-mono">{example.test_case_name}</span>
                  <span className="text-red-700">{example.reason}</span>
                </p>
                <pre className="mt-2 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono text-xs">
                  {example.output || <span className="text-slate-400">(empty output)</span>}
                </pre>
              </li>
            ))}
            {requirement.violations > requirement.examples.length && (
              <li className="text-xs text-slate-500">
                and {requirement.violations - requirement.examples.length} more
              </li>
            )}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
