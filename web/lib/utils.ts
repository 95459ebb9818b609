import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  return new Date(value).toLocaleString();
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)} %`;
}

export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toFixed(3);
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value === 0 ? "$0" : `$${value < 0.01 ? value.toFixed(6) : value.toFixed(4)}`;
}

/** A cost, or "unpriced" when no price is known for the model (never a made-up $0). */
export function formatCost(value: number | null | undefined, unpriced: boolean): string {
  return unpriced ? "unpriced" : formatUsd(value);
}

/** "N unpriced calls not included" under a total that leaves them out. */
export function unpricedNote(count: number | undefined): string | undefined {
  if (!count) return undefined;
  return `${count} unpriced ${count === 1 ? "call" : "calls"} not included`;
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}
