"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

import { cn } from "@/lib/utils";

const LINKS = [
  { href: "/", label: "Dashboard" },
  { href: "/prompts/", label: "Prompts" },
  { href: "/datasets/", label: "Datasets" },
  { href: "/evaluations/", label: "Evaluations" },
  { href: "/optimizations/", label: "Optimizations" },
  { href: "/traces/", label: "Traces" },
  { href: "/slos/", label: "SLOs" },
  { href: "/graphiql/", label: "GraphQL" },
];

export function Nav() {
  const path = usePathname() ?? "/";
  return (
    <nav className="flex flex-col gap-1" aria-label="main">
      {LINKS.map(({ href, label }) => {
        const active = href === "/" ? path === "/" : path.startsWith(href);
        return (
          <Link
            key={href}
            href={href}
            className={cn(
              "rounded-md px-3 py-2 text-sm",
              active ? "bg-slate-800 font-medium text-white" : "text-slate-300 hover:bg-slate-800/60",
            )}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
