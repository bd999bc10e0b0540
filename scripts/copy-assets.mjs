// Copies GOV.UK Frontend's images (not its fonts: services off GOV.UK use Arial) next to the CSS,
// and its JavaScript (an ES module, loaded by lms/static/init.js) with its source map.
import { cpSync, mkdirSync } from "node:fs";

const govuk = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("lms/static/dist/assets", { recursive: true });
cpSync(`${govuk}/assets/images`, "lms/static/dist/assets/images", { recursive: true });
for (const file of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  cpSync(`${govuk}/${file}`, `lms/static/dist/${file}`);
}
