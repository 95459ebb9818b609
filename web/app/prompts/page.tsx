"use client";

import { Plus } from "lucide-react";
import { useState } from "react";

import { PageTitle } from "@/components/feedback";
import { NewPromptForm } from "@/components/prompts/new-prompt-form";
import { PromptList } from "@/components/prompts/prompt-list";
import { SemanticSearch } from "@/components/prompts/semantic-search";
import { Button } from "@/components/ui/button";

export default function PromptsPage() {
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageTitle
        actions={
          !creating && (
            <Button onClick={() => setCreating(true)}>
              <Plus className="h-4 w-4" /> New prompt
            </Button>
          )
        }
      >
        Prompts
      </PageTitle>
      {creating && <NewPromptForm onCancel={() => setCreating(false)} />}
      <SemanticSearch />
      <PromptList />
    </>
  );
}
