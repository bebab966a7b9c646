/**
 * The one script of the hosted pages. Everything works without it; it only enhances:
 * a confirmation before destructive forms, copy buttons for secrets shown once, and no
 * double submission. Served as a file (CSP `script-src 'self'`), never inline.
 */
export const SCRIPT = `
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  var buttons = form.querySelectorAll("button[type=submit]");
  setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
});
document.querySelectorAll("[data-copy]").forEach(function (source) {
  if (!navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = source.getAttribute("data-copy-label") || "Copy";
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.textContent || "").then(function () {
      button.textContent = source.getAttribute("data-copied-label") || "Copied";
    });
  });
  source.insertAdjacentElement("afterend", button);
});
`
