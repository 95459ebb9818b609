"use client";

import { Loader2 } from "lucide-react";

import { ApiError } from "@/lib/api";

/** An API failure in plain words, with the field errors listed when there are some. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      <p>{fields.length > 1 ? (error as ApiError).problem.title : message}</p>
      {fields.length > 1 && (
        <ul className="mt-1 list-disc pl-5">
          {fields.map((f) => (
            <li key={`${f.field}:${f.message}`}>
              <span className="font-mono">{f.field}</span>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="flex items-center gap-2 text-sm text-slate-500">
      <Loader2 className="h-4 w-4 animate-spin" /> {what}…
    </p>
  );
}

/** What to do next when a list is empty. */
export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 p-8 text-center">
      <p className="font-medium text-slate-700">{title}</p>
      {children && <div className="mt-2 text-sm text-slate-500">{children}</div>}
    </div>
  );
}

export function ProgressBar({ done, total, label }: { done: number; total: number; label?: string }) {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  return (
    <div>
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-label={label ?? "progress"}
        className="h-2 w-full overflow-hidden rounded bg-slate-200"
      >
        <div className="h-full bg-slate-800 transition-all" style={{ width: `${share * 100}%` }} />
      </div>
      <p className="mt-1 text-xs text-slate-500">
        {done} / {total} {label ?? ""}
      </p>
    </div>
  );
}

export function PageTitle({ children, actions }: { children: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <div className="mb-6 flex items-center justify-between gap-4">
      <h1 className="text-xl font-semibold text-slate-900">{children}</h1>
      {actions && <div className="flex gap-2">{actions}</div>}
    </div>
  );
}
