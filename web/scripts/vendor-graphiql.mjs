// GraphiQL without a CDN: strawberry's GraphiQL page loads React, GraphiQL, its explorer plugin
// and js-cookie from unpkg. We copy the very same published files (so their subresource
// integrity hashes still match) from node_modules into dist/assets/vendor/<package>@<version>/,
// and api/web.py points the page there. The versions are pinned in package.json to the ones
// strawberry's page names; a mismatch fails here.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = {
  react: ["umd/react.production.min.js"],
  "react-dom": ["umd/react-dom.production.min.js"],
  "js-cookie": ["dist/js.cookie.min.js"],
  graphiql: ["graphiql.min.css", "graphiql.min.js"],
  "@graphiql/plugin-explorer": ["dist/style.css", "dist/index.umd.js"],
};
const manifest = {};
for (const [name, paths] of Object.entries(files)) {
  const pkg = join(root, "node_modules", name);
  const { version } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  manifest[name] = version;
  for (const path of paths) {
    const target = join(root, "dist", "assets", "vendor", `${name}@${version}`, path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(pkg, path), target);
  }
}
console.log("GraphiQL assets:", Object.entries(manifest).map(([n, v]) => `${n}@${v}`).join(", "));
