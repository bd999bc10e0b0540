// Copies GOV.UK Frontend's images (not its fonts: services off GOV.UK use Arial) next to the CSS.
import { cpSync, mkdirSync } from "node:fs";

mkdirSync("lms/static/dist/assets", { recursive: true });
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", "lms/static/dist/assets/images", { recursive: true });
