"use client";

import { Label, Select } from "@/components/ui/input";

/** Versions are numbered 1..latest without gaps, so the choice needs no extra request. */
export function VersionSelect({ id, label, latest, value, onChange }: {
  id: string;
  label: string;
  latest: number;
  value: number;
  onChange: (version: number) => void;
}) {
  const numbers = Array.from({ length: latest }, (_, i) => latest - i);
  return (
    <div>
      <Label htmlFor={id}>{label}</Label>
      <Select id={id} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {numbers.map((n) => (
          <option key={n} value={n}>
            v{n}
            {n === latest ? " (latest)" : ""}
          </option>
        ))}
      </Select>
    </div>
  );
}
