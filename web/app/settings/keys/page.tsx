"use client";

import { KeysPage } from "@/components/identity/keys-page";

export default function SettingsKeysPage() {
  return <KeysPage />;
}
