"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { ErrorMessage, Loading } from "@/components/feedback";
import { ApiError } from "@/lib/api";
import { chooseProject, chosenProject } from "@/lib/project";

import { useMe } from "./me";
import { SignIn } from "./sign-in";

/** Everything behind it needs a caller: the local owner on loopback, else a signed-in one. */
export function AuthGate({ children }: { children: React.ReactNode }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const refused = me.error instanceof ApiError && me.error.status === 401;
  // A project chosen earlier may be gone, or not yours: forget it and ask again.
  const staleProject = refused && chosenProject() !== null;
  useEffect(() => {
    if (!staleProject) return;
    chooseProject(null);
    void queryClient.invalidateQueries();
  }, [staleProject, queryClient]);
  if (me.isPending || staleProject) return <Loading what="Checking who you are" />;
  if (refused) return <SignIn reason={(me.error as ApiError).problem.detail} />;
  if (me.error) return <ErrorMessage error={me.error} />;
  return <>{children}</>;
}
