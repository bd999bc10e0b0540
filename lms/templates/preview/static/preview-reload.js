// `authoring preview` only: reload the page when the trainer saves the notebook.
// Without this script the page says "Reload this page after saving the notebook"; with it, the page
// asks the preview every second whether the notebook changed since the page was built.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) {
    return;
  }
  var since = script.getAttribute("data-since");
  var url = script.getAttribute("data-changed-url");
  var status = document.getElementById("preview-reload-status");
  var asking = false;
  if (status) {
    status.textContent = "This page reloads itself when you save the notebook.";
  }
  function ask() {
    if (asking) {
      return;
    }
    asking = true;
    fetch(url + "?since=" + encodeURIComponent(since), {cache: "no-store", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.changed) {
          window.location.reload();
        }
      })
      .catch(function () { /* the preview is restarting or stopped: ask again next time */ })
      .then(function () { asking = false; });
  }
  window.setInterval(ask, 1000);
}());
