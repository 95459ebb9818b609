"use client";

import Editor, { DiffEditor, loader, type Monaco } from "@monaco-editor/react";

// Served from our own origin (copied by scripts/copy-monaco.mjs): no CDN, works offline.
loader.config({ paths: { vs: "/monaco/vs" } });

const LANGUAGE = "autoforge-template";

/** `{{variable}}` stands out from the prose around it. */
function registerTemplateLanguage(monaco: Monaco): void {
  if (monaco.languages.getLanguages().some((l: { id: string }) => l.id === LANGUAGE)) return;
  monaco.languages.register({ id: LANGUAGE });
  monaco.languages.setMonarchTokensProvider(LANGUAGE, {
    tokenizer: {
      root: [
        [/\{\{\s*[A-Za-z_][\w.]*\s*\}\}/, "variable"],
        [/\{\{[^}]*\}\}/, "invalid"],
      ],
    },
  });
  monaco.editor.defineTheme("autoforge", {
    base: "vs",
    inherit: true,
    rules: [
      { token: "variable", foreground: "7c3aed", fontStyle: "bold" },
      { token: "invalid", foreground: "dc2626", fontStyle: "underline" },
    ],
    colors: {},
  });
}

const OPTIONS = {
  minimap: { enabled: false },
  wordWrap: "on" as const,
  lineNumbers: "on" as const,
  scrollBeyondLastLine: false,
  fontSize: 13,
};

export function TemplateEditor({
  value,
  onChange,
  height = 280,
  readOnly = false,
}: {
  value: string;
  onChange?: (value: string) => void;
  height?: number;
  readOnly?: boolean;
}) {
  return (
    <div className="overflow-hidden rounded-md border border-slate-300" data-testid="template-editor">
      <Editor
        height={height}
        language={LANGUAGE}
        theme="autoforge"
        value={value}
        beforeMount={registerTemplateLanguage}
        onChange={(v) => onChange?.(v ?? "")}
        options={{ ...OPTIONS, readOnly }}
        loading={<p className="p-3 text-sm text-slate-500">Loading editor…</p>}
      />
    </div>
  );
}

export function TemplateDiff({ original, modified, height = 320 }: { original: string; modified: string; height?: number }) {
  return (
    <div className="overflow-hidden rounded-md border border-slate-300" data-testid="version-diff">
      <DiffEditor
        height={height}
        language={LANGUAGE}
        theme="autoforge"
        original={original}
        modified={modified}
        beforeMount={registerTemplateLanguage}
        options={{ ...OPTIONS, readOnly: true, renderSideBySide: true, useInlineViewWhenSpaceIsLimited: false }}
        loading={<p className="p-3 text-sm text-slate-500">Loading diff…</p>}
      />
    </div>
  );
}

/** Variables named in a template, in order of first appearance. */
export function templateVariables(content: string): string[] {
  const names = [...content.matchAll(/\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g)].map((m) => m[1]);
  return [...new Set(names)];
}
