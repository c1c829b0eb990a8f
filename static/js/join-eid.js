// Legitimera: an identification abandoned by leaving the page is cancelled at BankID.
const flow = document.getElementById("eid-flow");
if (flow) {
  let leavingOnPurpose = false;
  // The page's own forms (Avbryt, the simulator) and the redirect after a finished
  // identification leave on purpose; only an abandoned page sends the cancel.
  document.addEventListener("submit", () => { leavingOnPurpose = true; });
  document.body.addEventListener("htmx:beforeOnLoad", (event) => {
    if (event.detail.xhr.getResponseHeader("HX-Redirect")) leavingOnPurpose = true;
  });
  window.addEventListener("pagehide", () => {
    if (leavingOnPurpose) return;
    const form = new FormData();
    form.append("csrfmiddlewaretoken", flow.dataset.csrf);
    form.append("beacon", "1");
    navigator.sendBeacon(flow.dataset.eidCancelUrl, form);
  });
}

// The BankID message, said once per change by a status that is never replaced.
const announce = document.querySelector("[data-eid-announce]");
document.body.addEventListener("htmx:afterSettle", (event) => {
  if (!announce || event.target.id !== "eid-message") return;
  const text = event.target.textContent.trim();
  if (announce.textContent.trim() !== text) announce.textContent = text;
});
