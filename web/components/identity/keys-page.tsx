"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { EmptyState, ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import { allows, type ApiKey, type ApiKeyCreated } from "@/lib/types/identity";

import { useMe } from "./me";
import { SettingsTabs } from "./settings-tabs";

const KEYS = ["keys"] as const;

function when(value: string | null): string {
  return value ? new Date(value).toLocaleString() : "—";
}

/** This project's API keys: create one (its secret shown once), see them, revoke them. */
export function KeysPage() {
  const me = useMe();
  const admin = allows(me.data?.role, "admin");
  const keys = useQuery({ queryKey: KEYS, queryFn: () => api.get<ApiKey[]>("/keys"), enabled: admin });
  return (
    <div className="space-y-6">
      <PageTitle>API keys</PageTitle>
      <SettingsTabs />
      {!admin ? (
        <p className="text-sm text-slate-600">Managing keys needs the admin role; you are {me.data?.role}.</p>
      ) : (
        <>
          <NewKey />
          {keys.isPending ? (
            <Loading what="Loading keys" />
          ) : keys.error ? (
            <ErrorMessage error={keys.error} />
          ) : keys.data.length === 0 ? (
            <EmptyState title="No API keys yet">Create one above for an application or a CI job.</EmptyState>
          ) : (
            <KeyTable keys={keys.data} />
          )}
        </>
      )}
    </div>
  );
}

function NewKey() {
  const queryClient = useQueryClient();
  const [role, setRole] = useState("member");
  const [note, setNote] = useState("");
  const create = useMutation({
    mutationFn: () => api.post<ApiKeyCreated>("/keys", { role, note: note || null }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS }),
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>New key</CardTitle>
      </CardHeader>
      <CardContent className="space-y-3">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <div>
            <Label htmlFor="key-role">Role</Label>
            <Select id="key-role" value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="viewer">viewer: reads</option>
              <option value="member">member: reads and writes</option>
              <option value="admin">admin: also keys and members</option>
            </Select>
          </div>
          <div className="min-w-64 flex-1">
            <Label htmlFor="key-note">Note</Label>
            <Input id="key-note" value={note} onChange={(e) => setNote(e.target.value)} placeholder="what it is for" />
          </div>
          <Button type="submit" disabled={create.isPending}>
            Create key
          </Button>
        </form>
        <ErrorMessage error={create.error} />
        {create.data && (
          <div role="status" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
            <p className="font-medium">Copy the secret now: it is shown this once.</p>
            <p>
              Public key: <code data-testid="new-public-key">{create.data.public_key}</code>
            </p>
            <p>
              Secret key: <code data-testid="new-secret">{create.data.secret}</code>
            </p>
            <p className="text-xs text-slate-600">
              Send it as <code>Authorization: Bearer &lt;secret&gt;</code>, or both as HTTP Basic{" "}
              <code>public:secret</code> (what Langfuse SDKs send).
            </p>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function KeyTable({ keys }: { keys: ApiKey[] }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete<ApiKey>(`/keys/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS }),
  });
  return (
    <Table aria-label="API keys">
      <thead>
        <tr>
          <Th>Secret</Th>
          <Th>Public key</Th>
          <Th>Role</Th>
          <Th>Note</Th>
          <Th>Created</Th>
          <Th>Last used</Th>
          <Th>State</Th>
          <Th />
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id}>
            <Td className="whitespace-nowrap font-mono">{key.display}</Td>
            <Td className="whitespace-nowrap font-mono text-xs">{key.public_key}</Td>
            <Td>{key.role}</Td>
            <Td>{key.note ?? ""}</Td>
            <Td>{when(key.created_at)}</Td>
            <Td>{when(key.last_used_at)}</Td>
            <Td>{key.revoked_at ? "revoked" : key.expires_at && new Date(key.expires_at) < new Date() ? "expired" : "active"}</Td>
            <Td>
              {!key.revoked_at && (
                <Button variant="outline" size="sm" onClick={() => revoke.mutate(key.id)} aria-label={`Revoke ${key.display}`}>
                  Revoke
                </Button>
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
