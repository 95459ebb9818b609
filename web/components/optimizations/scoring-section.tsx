"use client";

import {
  AssertionEditor,
  type AssertionDraft,
  draftsFromSet,
  toAssertionSet,
} from "@/components/evaluations/assertion-editor";
import { Input, Label, Select } from "@/components/ui/input";
import type { Scoring } from "@/lib/types/datasets";
import type { AssertionSet, GenerationParams } from "@/lib/types/evaluations";

/** "dataset": keep the version's stop sequences. */
export type StopChoice = "dataset" | "newline" | "none";

export type OverrideState = {
  on: boolean;
  drafts: AssertionDraft[];
  passThreshold: string;
  maxTokens: string;
  stop: StopChoice;
};

export const NO_OVERRIDE: OverrideState = { on: false, drafts: [], passThreshold: "", maxTokens: "", stop: "dataset" };

/**
 * The request's `assertions` and `params`: both absent unless overridden, so the dataset
 * version's scoring applies. Throws an Error in plain words when a field is malformed.
 */
export function toOverride(state: OverrideState): { assertions?: AssertionSet; params?: GenerationParams } {
  if (!state.on) return {};
  const params: GenerationParams = {};
  if (state.maxTokens.trim() !== "") {
    const maxTokens = Number(state.maxTokens);
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new Error("Max tokens must be a whole number of at least 1.");
    params.max_tokens = maxTokens;
  }
  if (state.stop === "newline") params.stop = ["\n"];
  // An empty list, not null: the API keeps the dataset's value for a null (or absent) field.
  if (state.stop === "none") params.stop = [];
  return { assertions: toAssertionSet(state.drafts, state.passThreshold), params };
}

/** An optional override of the dataset's scoring, starting from a copy of it. */
export function ScoringOverride({
  state,
  onChange,
  scoring,
}: {
  state: OverrideState;
  onChange: (state: OverrideState) => void;
  scoring: Scoring | undefined;
}) {
  const toggle = (on: boolean) => {
    // The first time, start from the dataset's assertions: an override is usually a tweak.
    if (on && state.drafts.length === 0 && scoring) {
      const { drafts, passThreshold } = draftsFromSet(scoring.assertions);
      onChange({ ...state, on, drafts, passThreshold });
    } else {
      onChange({ ...state, on });
    }
  };
  const generation = scoring?.generation;
  return (
    <div className="space-y-3">
      <label className="flex items-center gap-2 text-sm text-slate-700">
        {/* Enabled once the version's scoring is known: the override starts as a copy of it. */}
        <input type="checkbox" checked={state.on} onChange={(e) => toggle(e.target.checked)} disabled={!scoring} />
        Override scoring
      </label>
      {state.on && (
        <>
          <AssertionEditor
            drafts={state.drafts}
            onChange={(drafts) => onChange({ ...state, drafts })}
            passThreshold={state.passThreshold}
            onPassThreshold={(passThreshold) => onChange({ ...state, passThreshold })}
          />
          <div className="grid gap-4 sm:grid-cols-2">
            <div>
              <Label htmlFor="override-max-tokens">Max tokens</Label>
              <Input
                id="override-max-tokens"
                type="number"
                min={1}
                max={32768}
                step={1}
                value={state.maxTokens}
                onChange={(e) => onChange({ ...state, maxTokens: e.target.value })}
                placeholder={generation?.max_tokens != null ? `the dataset's: ${generation.max_tokens}` : "the dataset's"}
              />
            </div>
            <div>
              <Label htmlFor="override-stop">Stop</Label>
              <Select
                id="override-stop"
                value={state.stop}
                onChange={(e) => onChange({ ...state, stop: e.target.value as StopChoice })}
              >
                <option value="dataset">the dataset&apos;s{stopHint(generation?.stop)}</option>
                <option value="newline">at the first line break</option>
                <option value="none">never (up to max tokens)</option>
              </Select>
            </div>
          </div>
          <p className="text-xs text-slate-500">Empty fields keep the dataset version&apos;s generation settings.</p>
        </>
      )}
    </div>
  );
}

function stopHint(stop: string[] | null | undefined): string {
  if (stop == null) return " (none)";
  if (stop.length === 1 && stop[0] === "\n") return " (at a line break)";
  return stop.length === 0 ? " (none)" : ` (${stop.map((s) => JSON.stringify(s)).join(", ")})`;
}
