import { defineConfig } from "vite";

// The built page is served by dashgraph under /app/ (or from any other
// path): relative asset URLs. It talks to /graphql on its own origin; in
// `npm run dev`, vite forwards /graphql to DASHGRAPH_URL (default the server
// `make run` starts).
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/graphql": process.env.DASHGRAPH_URL ?? "http://127.0.0.1:8080",
    },
  },
});
