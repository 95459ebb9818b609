import type { NextConfig } from "next";

// Exported to static files that FastAPI serves at `/`: one process, same origin as the API.
// Pages that show one record take its id from the query string (`/prompts/view/?id=...`),
// because a static export cannot know record ids at build time.
const config: NextConfig = {
  output: "export",
  trailingSlash: true,
  images: { unoptimized: true },
  // In `next dev` the API runs separately on :8000.
  ...(process.env.NODE_ENV === "development"
    ? {
        // API paths have no trailing slash; only pages get one.
        skipTrailingSlashRedirect: true,
        async rewrites() {
          return [{ source: "/api/:path*", destination: "http://127.0.0.1:8000/api/:path*" }];
        },
      }
    : {}),
};

export default config;
