// Copy the built assets of the front-end packages into static/vendor (never copied by hand).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const out = "static/vendor";
rmSync(out, { recursive: true, force: true });
const copies = [
  ["node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css", `${out}/nhsuk/nhsuk-frontend.min.css`],
  ["node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js", `${out}/nhsuk/nhsuk-frontend.min.js`],
  ["node_modules/nhsuk-frontend/dist/nhsuk/assets", `${out}/nhsuk/assets`],
  ["node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx/htmx.min.js`],
  ["node_modules/chart.js/dist/chart.umd.min.js", `${out}/chartjs/chart.umd.min.js`],
];
for (const [from, to] of copies) {
  mkdirSync(to.split("/").slice(0, -1).join("/"), { recursive: true });
  cpSync(from, to, { recursive: true });
}
// NHS.UK frontend's CSS loads its Frutiger fonts from an external host (a request to another site on
// every page, and one the Content-Security-Policy refuses). The fonts are licensed and not in the
// package, so their @font-face rules are left out: pages use the NHS.UK fallback, Arial.
const css = `${out}/nhsuk/nhsuk-frontend.min.css`;
const external = /@font-face\{[^}]*url\((["']?)(https?:)?\/\/[^}]*\}/g;
writeFileSync(css, readFileSync(css, "utf8").replace(external, ""));
console.log(`static assets copied into ${out}`);
