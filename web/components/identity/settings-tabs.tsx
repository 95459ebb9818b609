"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import { cn } from "@/lib/utils";

const TABS = [
  { href: "/settings/projects/", label: "Projects" },
  { href: "/settings/keys/", label: "API keys" },
  { href: "/settings/members/", label: "Members" },
];

export function SettingsTabs() {
  const path = usePathname() ?? "";
  return (
    <nav aria-label="settings" className="flex gap-2 border-b border-slate-200">
      {TABS.map((tab) => (
        <Link
          key={tab.href}
          href={tab.href}
          className={cn(
            "-mb-px border-b-2 px-3 py-2 text-sm",
            path.startsWith(tab.href) ? "border-slate-900 font-medium" : "border-transparent text-slate-500",
          )}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
