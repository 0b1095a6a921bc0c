import { defineConfig } from "vite";

// Preact through esbuild's automatic JSX runtime (tsconfig: jsxImportSource), so no Babel
// preset is needed. `npm run dev` proxies the API of `talentmap serve` on :8000.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2022",
    assetsDir: "assets",
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
  server: {
    proxy: { "/graphql": process.env.TALENTMAP_API ?? "http://127.0.0.1:8000" },
  },
});
