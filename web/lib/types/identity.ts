// Mirrors autoforge.identity.schemas (the API's `/me`, `/projects`, `/keys`, `/members`, `/session`).

export type Role = "viewer" | "member" | "admin" | "owner";

export type Me = {
  project_id: string;
  organization_id: string;
  role: Role;
  via: "local" | "api_key" | "clerk";
  user_id: string | null;
  key_id: string | null;
};

export type Project = { id: string; name: string; organization_id: string; created_at: string; role: Role };

export type ApiKey = {
  id: string;
  public_key: string;
  display: string;
  role: Exclude<Role, "owner">;
  note: string | null;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
};

export type ApiKeyCreated = ApiKey & { secret: string };

export type Member = { user_id: string; email: string | null; name: string | null; role: Role };

export type SignInOptions = { auth_mode: "local" | "required"; clerk_sign_in_url: string | null };

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export function allows(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}
