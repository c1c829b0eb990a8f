// Staff pages: tell the person when a request failed, instead of doing nothing.
document.addEventListener("htmx:responseError", (event) => {
  showProblem(document.body.dataset.msgServerError);
});
document.addEventListener("htmx:sendError", () => {
  showProblem(document.body.dataset.msgOffline);
});

function showProblem(text) {
  let box = document.getElementById("request-problem");
  if (!box) {
    box = document.createElement("div");
    box.id = "request-problem";
    box.className = "request-problem";
    box.setAttribute("role", "alert");
    document.querySelector("main").prepend(box);
  }
  box.textContent = text;
}

// A swap that replaces what had focus (the wizard's Nästa, say) leaves focus on
// <body>, and a keyboard or screen reader user would start again from the top of the
// page. Focus moves to the first field with an error, else to the part's marked place.
// A marked element that cannot take focus itself hands it to its first field.
// Enter in a field is different: htmx gives focus back to that field (by its id), and
// it stays there unless the answer has errors, which the person must hear first.
// A link or button that opens a part elsewhere on the page (Flytta, Byt ombud, a
// form's button whose question appears apart) keeps focus too; focus then goes to what
// it opened, if that is marked.
document.addEventListener("htmx:afterSettle", (event) => {
  if (!event.detail.requestConfig?.triggeringEvent?.isTrusted) return;
  const part = event.target;
  // A question before a destructive action (templates/_confirm.html) is what the
  // person must answer next, wherever focus was or htmx put it back by its id.
  const question = part.querySelector("[data-confirm] [data-swap-focus]");
  if (question) {
    question.focus();
    return;
  }
  const invalid = part.querySelector('[aria-invalid="true"]');
  const active = document.activeElement;
  if (active && active !== document.body) {
    const typedHere = invalid && part.contains(active) && active.getAttribute("aria-invalid") !== "true";
    const opener = event.detail.requestConfig.elt;
    const openedElsewhere = !part.contains(active) && opener?.contains(active)
      && part.querySelector("[data-swap-focus]");
    if (!typedHere && !openedElsewhere) return;
  }
  const marked = invalid || part.querySelector("[data-swap-focus]");
  const target = marked && (marked.hasAttribute("tabindex") || marked.tabIndex >= 0
    ? marked : marked.querySelector("input:not([type=hidden]), select, textarea, button"));
  (target || part.querySelector("h2[tabindex]"))?.focus();
});

// Set once this page is on its way out (a reload by the idle timer, say), when a
// "session.ended" for its own sign-out must not load the next page a second time.
let leaving = false;
window.addEventListener("beforeunload", () => { leaving = true; });

// Live staff pages (R1): one socket per page; an event names a visit, and the
// parts of the page that show it re-fetch themselves through their own views. A
// visit's page listens to that visit, also for a colleague who is not on it.
function connectStaffSocket(attempt = 0) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const visit = document.querySelector("[data-live-visit]")?.dataset.liveVisit;
  const path = visit ? `/ws/staff/visit/${encodeURIComponent(visit)}/` : "/ws/staff/";
  const socket = new WebSocket(`${scheme}://${location.host}${path}`);
  // The socket's state on the page, for whoever needs to know the page is live.
  socket.addEventListener("open", () => {
    attempt = 0;
    document.body.dataset.liveSocket = "open";
  });
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "visit.changed") {
      document.body.dispatchEvent(new CustomEvent("visit-changed"));
      document.body.dispatchEvent(new CustomEvent(`visit-changed-${event.visit}`));
    }
    if (event.type === "session.ended" && !leaving) {
      location.reload();  // signed out in another tab: the login page says why
    }
    if (event.type === "room.changed") {
      document.body.dispatchEvent(new CustomEvent("room-changed"));
      document.body.dispatchEvent(new CustomEvent(`room-changed-${event.visit}`));
    }
  });
  socket.addEventListener("close", () => {
    document.body.dataset.liveSocket = "closed";
    // Back off with jitter so a restarted server is not hit by every page at once.
    const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
    setTimeout(() => connectStaffSocket(attempt + 1), delay);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.querySelector("[data-live-staff]")) {
    connectStaffSocket();
  }
});

// "Kopiera inbjudningslänk" (G3): copy, and say so where a screen reader hears it.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-from]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copyFrom);
  const status = button.closest(".link-box")?.querySelector("[data-copy-status]");
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
  if (status) status.textContent = button.dataset.copied;
});

// "Släpps in direkt" (R2) is on for the roles its box names (a colleague) and off for
// the others: choosing another role in Redigera deltagare or a Nytt besök guest row
// sets it again, unless staff set it against the role chosen before.
const roleShown = new WeakMap();
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.name.endsWith("kind")) return;
  const box = select.form?.elements.namedItem(select.name.replace(/kind$/, "admit_directly"));
  if (!box?.dataset?.admitDirectlyFor) return;
  const roles = box.dataset.admitDirectlyFor.split(" ");
  const before = roleShown.get(select)
    ?? [...select.options].find((option) => option.defaultSelected)?.value ?? select.options[0]?.value;
  roleShown.set(select, select.value);
  if (box.checked === roles.includes(before)) box.checked = roles.includes(select.value);
});

// Redigera deltagare: the add button says what will happen to the link, sent or shown
// to copy, as the channel changes (the server renders it the same way).
document.addEventListener("change", (event) => {
  const radio = event.target.closest('input[type="radio"][name="channel"]');
  const button = radio?.form?.querySelector("[data-channel-label]");
  if (!button || !radio.checked) return;
  button.textContent = radio.value === "none" ? button.dataset.labelCopy : button.dataset.labelSend;
});

// Ask before destroying (templates/_confirm.html): Avbryt puts the question away without
// loading the page again, and focus goes back to the button that asked.
document.addEventListener("click", (event) => {
  const box = event.target.closest("[data-confirm-cancel]")?.closest("[data-confirm]");
  if (!box) return;
  event.preventDefault();
  const opener = document.getElementById(box.dataset.confirmOpener);
  box.remove();
  opener?.focus();
});
