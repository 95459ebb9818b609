"use client";

import { MembersPage } from "@/components/identity/members-page";

export default function SettingsMembersPage() {
  return <MembersPage />;
}
