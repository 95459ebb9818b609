"use client";

import { ProjectsPage } from "@/components/identity/projects-page";

export default function SettingsProjectsPage() {
  return <ProjectsPage />;
}
