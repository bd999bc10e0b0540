// Progressive enhancement with GOV.UK Frontend: focus moves to error summaries and success banners,
// links styled as buttons answer the Space key. Every page works without this file.
// A module script runs only in browsers GOV.UK Frontend supports, so marking <body> here replaces
// GOV.UK's inline snippet, which our Content-Security-Policy (script-src 'self') would block.
import { initAll } from "./dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
