import { cn } from "@/lib/utils";

const tones = {
  neutral: "bg-slate-100 text-slate-700",
  green: "bg-green-100 text-green-800",
  red: "bg-red-100 text-red-800",
  amber: "bg-amber-100 text-amber-800",
  blue: "bg-blue-100 text-blue-800",
} as const;

export type Tone = keyof typeof tones;

export function Badge({ tone = "neutral", children, className }: {
  tone?: Tone;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <span className={cn("inline-flex items-center rounded px-2 py-0.5 text-xs font-medium", tones[tone], className)}>
      {children}
    </span>
  );
}

/** One colour per lifecycle status, the same on every page. */
export function StatusBadge({ status }: { status: string }) {
  const tone: Tone =
    status === "completed" || status === "active"
      ? "green"
      : status === "failed"
        ? "red"
        : status === "running"
          ? "blue"
          : status === "pending" || status === "draft"
            ? "amber"
            : "neutral";
  return <Badge tone={tone}>{status}</Badge>;
}
