"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { ErrorMessage } from "@/components/feedback";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { api } from "@/lib/api";
import type { SimilarPrompts } from "@/lib/types/similarity";

import { SimilarList } from "./similar-panel";

function useSettled<T>(value: T, ms = 400): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Search by meaning (local embeddings), optionally only among prompts containing some text. */
export function SemanticSearch() {
  const [q, setQ] = useState("");
  const [text, setText] = useState("");
  const query = useSettled({ q: q.trim(), text: text.trim() });
  const results = useQuery({
    queryKey: ["prompts", "semantic", query],
    queryFn: () => api.get<SimilarPrompts>("/prompts:search", { q: query.q, text: query.text || undefined, k: 10 }),
    enabled: query.q !== "",
    placeholderData: keepPreviousData,
  });
  return (
    <Card className="mb-6">
      <CardHeader>
        <CardTitle>Search by meaning</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
          <div className="sm:col-span-2">
            <Label htmlFor="semantic-search">Describe what the prompt does</Label>
            <Input
              id="semantic-search"
              type="search"
              placeholder="e.g. translate a text into French"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
          </div>
          <div>
            <Label htmlFor="semantic-search-text">And containing</Label>
            <Input id="semantic-search-text" placeholder="words in the title or content" value={text} onChange={(e) => setText(e.target.value)} />
          </div>
        </div>
        <ErrorMessage error={results.error} />
        {query.q !== "" && results.data && (
          results.data.items.length > 0 ? (
            <SimilarList items={results.data.items} label="semantic search results" />
          ) : (
            <p className="text-sm text-slate-500">No prompt is close enough in meaning.</p>
          )
        )}
      </CardContent>
    </Card>
  );
}
