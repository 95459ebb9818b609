"use client";

import { useState } from "react";

import { EmptyState } from "@/components/feedback";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import type { OptimizationCandidate } from "@/lib/types/optimizations";
import { cn, formatScore } from "@/lib/utils";

import { lineageChain, shortKey } from "./history";

const FIRST_ROWS = 50;

/**
 * The history table, and the lineage and text of the chosen candidate (the winner first).
 * Until the run completes (`final`), `winner` is the best so far: it changes as the history grows.
 */
export function CandidateHistory({
  candidates,
  winner,
  final,
  roundName,
}: {
  candidates: OptimizationCandidate[];
  winner: OptimizationCandidate | undefined;
  final: boolean;
  roundName: string;
}) {
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  const chosen = candidates.find((c) => c.key === chosenKey) ?? winner;
  const winnerName = final ? "winner" : "best so far";
  if (candidates.length === 0) {
    return (
      <EmptyState title="No candidates stored yet.">
        The candidates appear once the search has scored the starting prompt, and grow with each progress report.
      </EmptyState>
    );
  }
  return (
    <div className="space-y-4">
      {chosen && (
        <Lineage
          candidates={candidates}
          candidate={chosen}
          title={chosen.key !== winner?.key ? "Candidate" : final ? "Winner" : "Best so far"}
          onChoose={setChosenKey}
          roundName={roundName}
        />
      )}
      <CandidateTable
        candidates={candidates}
        winnerKey={winner?.key}
        winnerName={winnerName}
        chosenKey={chosen?.key}
        onChoose={setChosenKey}
        roundName={roundName}
      />
    </div>
  );
}

function CandidateTable({
  candidates,
  winnerKey,
  winnerName,
  chosenKey,
  onChoose,
  roundName,
}: {
  candidates: OptimizationCandidate[];
  winnerKey?: string;
  winnerName: string;
  chosenKey?: string;
  onChoose: (key: string) => void;
  roundName: string;
}) {
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? candidates : candidates.slice(0, FIRST_ROWS);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Candidates ({candidates.length})</CardTitle>
      </CardHeader>
      <CardContent className="p-0">
        <Table aria-label="Candidates">
          <thead>
            <tr>
              <Th>#</Th>
              <Th>Candidate</Th>
              <Th className="capitalize">{roundName}</Th>
              <Th>Operators</Th>
              <Th>Parents</Th>
              <Th>Train</Th>
              <Th title="bandit scores prefixes of the trainset; a prompt's own demonstrations are left out">Train cases</Th>
              <Th>Validation</Th>
              <Th>Calls at</Th>
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => {
              const isWinner = c.key === winnerKey;
              return (
                <tr
                  key={c.key}
                  data-winner={isWinner || undefined}
                  aria-selected={c.key === chosenKey}
                  className={cn(isWinner && "bg-green-50", c.key === chosenKey && "outline outline-2 outline-slate-400")}
                >
                  <Td className="tabular-nums text-slate-500">{c.position}</Td>
                  <Td>
                    <button
                      type="button"
                      className="font-mono text-slate-900 underline-offset-2 hover:underline"
                      onClick={() => onChoose(c.key)}
                      aria-label={`Show candidate ${shortKey(c.key)}`}
                    >
                      {shortKey(c.key)}
                    </button>
                    {isWinner && (
                      <Badge tone="green" className="ml-2">
                        {winnerName}
                      </Badge>
                    )}
                  </Td>
                  <Td className="tabular-nums">{c.round}</Td>
                  <Td className="min-w-48 text-xs">{c.operators.length > 0 ? c.operators.join(" → ") : "start prompt"}</Td>
                  <Td className="font-mono text-xs">
                    {c.parents.map((p) => (
                      <button
                        key={p}
                        type="button"
                        className="mr-1 underline-offset-2 hover:underline"
                        onClick={() => onChoose(p)}
                        aria-label={`Show parent ${shortKey(p)}`}
                      >
                        {shortKey(p)}
                      </button>
                    ))}
                  </Td>
                  <Td className="tabular-nums">{formatScore(c.train_score)}</Td>
                  <Td className="tabular-nums text-slate-500">{c.train_cases}</Td>
                  <Td className="tabular-nums">{formatScore(c.val_score)}</Td>
                  <Td className="tabular-nums text-slate-500">{c.calls_at}</Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
        {candidates.length > FIRST_ROWS && (
          <div className="p-3">
            <Button variant="outline" size="sm" onClick={() => setShowAll((v) => !v)}>
              {showAll ? `Show the first ${FIRST_ROWS}` : `Show all ${candidates.length} candidates`}
            </Button>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

/** From the candidate back to the start prompt (first parents), and its text. */
function Lineage({
  candidates,
  candidate,
  title,
  onChoose,
  roundName,
}: {
  candidates: OptimizationCandidate[];
  candidate: OptimizationCandidate;
  title: string;
  onChoose: (key: string) => void;
  roundName: string;
}) {
  const { chain, missing } = lineageChain(candidates, candidate);
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          {title} {shortKey(candidate.key)}: lineage back to the start prompt
        </CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 lg:grid-cols-2">
        <ol className="space-y-2 text-sm" aria-label="lineage">
          {chain.map((c, i) => (
            <li key={c.key} className="rounded border border-slate-200 px-3 py-2">
              <div className="flex flex-wrap items-center gap-2">
                <button
                  type="button"
                  className="font-mono font-medium underline-offset-2 hover:underline"
                  onClick={() => onChoose(c.key)}
                >
                  {shortKey(c.key)}
                </button>
                <span className="text-xs text-slate-500">
                  {roundName} {c.round} · train {formatScore(c.train_score)} · val {formatScore(c.val_score)}
                </span>
                {i === chain.length - 1 && c.parents.length === 0 && <Badge>start prompt</Badge>}
              </div>
              {c.operators.length > 0 && (
                <p className="mt-1 text-xs text-slate-600">
                  made by {c.operators.join(" → ")}
                  {c.parents.length > 1 && (
                    <> from {c.parents.map(shortKey).join(" × ")}</>
                  )}
                </p>
              )}
            </li>
          ))}
          {missing && (
            <li className="text-xs text-slate-500">parent {shortKey(missing)} is not in the stored history</li>
          )}
        </ol>
        <div>
          <p className="mb-1 text-xs font-medium uppercase text-slate-500">Prompt text of {shortKey(candidate.key)}</p>
          <pre
            className="max-h-96 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs"
            data-testid="candidate-template"
          >
            {candidate.template}
          </pre>
        </div>
      </CardContent>
    </Card>
  );
}
