"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ErrorMessage, Loading, PageTitle } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { api } from "@/lib/api";
import { allows, type Member } from "@/lib/types/identity";

import { useMe } from "./me";
import { SettingsTabs } from "./settings-tabs";

const MEMBERS = ["members"] as const;

/** The organization's members: everyone sees them; admins add, change and remove. */
export function MembersPage() {
  const me = useMe();
  const admin = allows(me.data?.role, "admin");
  const members = useQuery({ queryKey: MEMBERS, queryFn: () => api.get<Member[]>("/members") });
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (userId: string) => api.delete(`/members/${userId}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: MEMBERS }),
  });
  return (
    <div className="space-y-6">
      <PageTitle>Members</PageTitle>
      <SettingsTabs />
      {admin && <AddMember />}
      <ErrorMessage error={remove.error} />
      {members.isPending ? (
        <Loading what="Loading members" />
      ) : members.error ? (
        <ErrorMessage error={members.error} />
      ) : (
        <Table aria-label="Members">
          <thead>
            <tr>
              <Th>Email</Th>
              <Th>Name</Th>
              <Th>Role</Th>
              <Th />
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => (
              <tr key={m.user_id}>
                <Td>{m.email ?? m.user_id}</Td>
                <Td>{m.name ?? ""}</Td>
                <Td>{m.role}</Td>
                <Td>
                  {admin && m.user_id !== me.data?.user_id && (
                    <Button variant="outline" size="sm" onClick={() => remove.mutate(m.user_id)} aria-label={`Remove ${m.email ?? m.user_id}`}>
                      Remove
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}

function AddMember() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("member");
  const add = useMutation({
    mutationFn: () => api.post<Member>("/members", { email, role }),
    onSuccess: () => {
      setEmail("");
      return queryClient.invalidateQueries({ queryKey: MEMBERS });
    },
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Add a member, or change a role</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate();
          }}
        >
          <div className="min-w-64 flex-1">
            <Label htmlFor="member-email">Email</Label>
            <Input id="member-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </div>
          <div>
            <Label htmlFor="member-role">Role</Label>
            <Select id="member-role" value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="viewer">viewer</option>
              <option value="member">member</option>
              <option value="admin">admin</option>
              <option value="owner">owner</option>
            </Select>
          </div>
          <Button type="submit" disabled={add.isPending}>
            Add
          </Button>
        </form>
        <div className="mt-3">
          <ErrorMessage error={add.error} />
        </div>
      </CardContent>
    </Card>
  );
}
