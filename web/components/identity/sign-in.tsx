"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ErrorMessage, PageTitle } from "@/components/feedback";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Label } from "@/components/ui/input";
import { api } from "@/lib/api";

import { useSignInOptions } from "./me";

/** Shown when the server needs credentials: an API key, or Clerk when it is configured. */
export function SignIn({ reason }: { reason: string }) {
  const queryClient = useQueryClient();
  const options = useSignInOptions();
  const [secret, setSecret] = useState("");
  const signIn = useMutation({
    mutationFn: () => api.post<void>("/session", { secret: secret.trim() }),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  const clerk = options.data?.clerk_sign_in_url;
  return (
    <div className="mx-auto max-w-lg space-y-6 pt-12">
      <PageTitle>Sign in</PageTitle>
      <p className="text-sm text-slate-600">{reason}</p>
      {clerk && (
        <Card>
          <CardHeader>
            <CardTitle>With your account</CardTitle>
          </CardHeader>
          <CardContent>
            <a className="underline" href={`${clerk}?redirect_url=${encodeURIComponent(window.location.href)}`}>
              Sign in with Clerk
            </a>
          </CardContent>
        </Card>
      )}
      <Card>
        <CardHeader>
          <CardTitle>With an API key</CardTitle>
        </CardHeader>
        <CardContent>
          <form
            className="space-y-3"
            onSubmit={(event) => {
              event.preventDefault();
              signIn.mutate();
            }}
          >
            <div>
              <Label htmlFor="secret-key">Secret key</Label>
              <Input
                id="secret-key"
                type="password"
                autoComplete="off"
                placeholder="sk-afn-…"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                required
              />
              <p className="mt-1 text-xs text-slate-500">
                An admin makes one with <code>autoforge key create</code>. It is kept in an HTTP-only cookie of this
                site, not readable by scripts.
              </p>
            </div>
            <ErrorMessage error={signIn.error} />
            <Button type="submit" disabled={signIn.isPending || !secret.trim()}>
              Sign in
            </Button>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
