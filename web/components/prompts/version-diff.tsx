"use client";

import { useState } from "react";

import { ErrorMessage, Loading } from "@/components/feedback";
import { TemplateDiff } from "@/components/monaco";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { Prompt } from "@/lib/types/prompts";

import { useVersion } from "./queries";
import { VersionSelect } from "./version-select";

/** Side-by-side diff of two versions' content; by default the latest against the one before. */
export function VersionDiff({ prompt }: { prompt: Prompt }) {
  const latest = prompt.version;
  // null = "follow the latest", so a new save moves an untouched comparison along with it.
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const fromVersion = Math.min(from ?? Math.max(1, latest - 1), latest);
  const toVersion = Math.min(to ?? latest, latest);
  const left = useVersion(prompt.id, fromVersion);
  const right = useVersion(prompt.id, toVersion);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Compare versions</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        {latest === 1 && <p className="text-sm text-slate-500">There is only version 1 so far: save a change to compare two.</p>}
        <div className="grid grid-cols-2 gap-3">
          <VersionSelect id="diff-from" label="From version" latest={latest} value={fromVersion} onChange={setFrom} />
          <VersionSelect id="diff-to" label="To version" latest={latest} value={toVersion} onChange={setTo} />
        </div>
        <ErrorMessage error={left.error ?? right.error} />
        {left.data && right.data ? (
          <>
            {left.data.title !== right.data.title && (
              <p className="text-sm text-slate-600">
                Title: <del>{left.data.title}</del> → <ins>{right.data.title}</ins>
              </p>
            )}
            <TemplateDiff original={left.data.content} modified={right.data.content} />
          </>
        ) : (
          !(left.error || right.error) && <Loading what="Loading versions" />
        )}
      </CardContent>
    </Card>
  );
}
