// The project the UI works in: a cookie the server reads on every request (EventSource
// streams cannot send headers), set when the user switches projects.

const COOKIE = "afn_project";

export function chosenProject(): string | null {
  if (typeof document === "undefined") return null;
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${COOKIE}=`));
  return found ? decodeURIComponent(found.slice(COOKIE.length + 1)) : null;
}

export function chooseProject(id: string | null): void {
  document.cookie = id
    ? `${COOKIE}=${encodeURIComponent(id)}; Path=/; SameSite=Strict; Max-Age=31536000`
    : `${COOKIE}=; Path=/; SameSite=Strict; Max-Age=0`;
}
