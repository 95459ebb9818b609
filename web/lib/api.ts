// The one way the UI talks to the API: same origin, JSON in and out, and every failure
// turned into an ApiError whose message a person can read (from the problem+json body).

export type FieldError = { field: string; message: string };

export type Problem = {
  type?: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[] | null;
  [extra: string]: unknown;
};

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(describeProblem(problem));
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }
}

/** Plain words for a problem: its detail, or each field error on its own. */
export function describeProblem(problem: Problem): string {
  if (problem.errors && problem.errors.length > 0) {
    return problem.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  }
  if (problem.detail && problem.detail !== problem.title) {
    return `${problem.title}: ${problem.detail}`;
  }
  return problem.title;
}

export const API = "/api/v1";

type Query = Record<string, string | number | boolean | null | undefined | string[]>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function failure(response: Response): Promise<ApiError> {
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const body = (await response.json()) as Partial<Problem>;
      return new ApiError({
        title: body.title ?? response.statusText,
        status: body.status ?? response.status,
        detail: body.detail ?? "",
        ...body,
      } as Problem);
    } catch {
      // fall through to a generic problem
    }
  }
  return new ApiError({
    title: response.status >= 500 ? "The server could not answer" : response.statusText,
    status: response.status,
    detail: `HTTP ${response.status} from ${response.url}`,
  });
}

export type RequestOptions = {
  method?: string;
  body?: unknown;
  /** Raw text body (JSONL/CSV imports). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  query?: Query;
};

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  // The CSRF header: a write signed in by cookie must come from this UI, not another site.
  const headers: Record<string, string> = { accept: "application/json", "x-autoforge-csrf": "1", ...options.headers };
  let body: BodyInit | undefined;
  if (options.text !== undefined) {
    body = options.text;
    headers["content-type"] = options.contentType ?? "text/plain";
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  let response: Response;
  try {
    response = await fetch(withQuery(`${API}${path}`, options.query), {
      method: options.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
    });
  } catch {
    throw new ApiError({
      title: "The server is not reachable",
      status: 0,
      detail: "Is `make run` (or `autoforge serve`) still running?",
    });
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>(path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: "POST", body: body ?? {} }),
  patch: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
    request<T>(path, { method: "PATCH", body, headers }),
  put: <T>(path: string, body?: unknown) => request<T>(path, { method: "PUT", body: body ?? {} }),
  delete: <T = void>(path: string) => request<T>(path, { method: "DELETE" }),
};

/** A page of results with an opaque cursor, as every list endpoint returns. */
export type Page<T> = { items: T[]; next_cursor: string | null };
