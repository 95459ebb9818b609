import type { Metadata } from "next";

import { AuthGate } from "@/components/identity/auth-gate";
import { ProjectSwitcher } from "@/components/identity/project-switcher";
import { Nav } from "@/components/nav";

import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "AutoForgeNexus",
  description: "Prompts: versions, evaluations, optimization",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <Providers>
          <div className="flex min-h-screen">
            <aside className="w-52 shrink-0 bg-slate-900 p-4">
              <p className="mb-6 px-3 text-lg font-semibold text-white">AutoForgeNexus</p>
              <Nav />
              <ProjectSwitcher />
              <a href="/docs" className="mt-6 block px-3 text-xs text-slate-400 hover:text-slate-200">
                API docs
              </a>
            </aside>
            <main className="min-w-0 flex-1 p-8">
              <AuthGate>{children}</AuthGate>
            </main>
          </div>
        </Providers>
      </body>
    </html>
  );
}
