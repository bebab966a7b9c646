/**
 * The one script of the hosted pages. Everything works without it; it only enhances:
 * a confirmation before destructive forms, copy buttons for secrets shown once, no
 * double submission, and passkeys (WebAuthn needs a script): a form marked `data-passkey`
 * asks its `data-options` URL for the ceremony's options, lets the browser talk to the
 * authenticator, puts the answer in its hidden fields and submits as any form does.
 * Served as a file (CSP `script-src 'self'`), never inline.
 */
export const SCRIPT = `
"use strict";
function passkeyCeremony(form) {
  var webauthn = window.SimpleWebAuthnBrowser;
  var error = form.querySelector("[data-passkey-error]");
  var fail = function (text) { if (error) { error.textContent = text; error.hidden = false; } };
  var body = { csrf: form.elements.csrf.value, purpose: form.getAttribute("data-passkey") };
  if (form.elements.mfa_token) body.mfa_token = form.elements.mfa_token.value;
  fetch(form.getAttribute("data-options"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin"
  }).then(function (res) {
    return res.json().then(function (json) {
      if (!res.ok) throw new Error(json.msg || "The passkey could not be used");
      return json;
    });
  }).then(function (start) {
    var run = body.purpose === "register" ? webauthn.startRegistration : webauthn.startAuthentication;
    return run({ optionsJSON: start.options }).then(function (answer) {
      form.elements.flow_id.value = start.flow_id;
      form.elements.response.value = JSON.stringify(answer);
      form.submit();
    });
  }).catch(function (e) { fail((e && e.message) || "The passkey could not be used"); });
}
if (window.PublicKeyCredential && window.SimpleWebAuthnBrowser) {
  document.querySelectorAll("form[data-passkey]").forEach(function (form) { form.hidden = false; });
}
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.hasAttribute("data-passkey")) { event.preventDefault(); passkeyCeremony(form); return; }
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
