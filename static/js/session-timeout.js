// Idle timeout for staff (DESIGN S3). The server ends a session after a spell
// without activity; this page warns before that happens and lets the person
// stay. Requests the page makes by itself are marked passive, so a live page
// left open does not keep its session alive for ever.
(() => {
  const dialog = document.getElementById("session-timeout");
  if (!dialog) return;
  const timeout = Number(dialog.dataset.timeout) * 1000;
  const warning = Number(dialog.dataset.warning) * 1000;
  const countdown = dialog.querySelector("[data-countdown]");
  const csrfToken = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  let deadline = Date.now() + timeout;
  let lastTouch = Date.now();
  let asking = false;

  // A request is the person's own only when an event they caused triggered it.
  document.addEventListener("htmx:configRequest", (event) => {
    const trigger = event.detail.triggeringEvent;
    if (!trigger || !trigger.isTrusted) {
      event.detail.headers["X-Passive-Request"] = "1";
    }
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const headers = event.detail.requestConfig && event.detail.requestConfig.headers;
    if (!headers || !headers["X-Passive-Request"]) {
      deadline = Date.now() + timeout;
      lastTouch = Date.now();
    }
  });

  function sync(answer) {
    deadline = Date.now() + answer.seconds_left * 1000;
  }

  async function extend() {
    lastTouch = Date.now();
    const response = await fetch(dialog.dataset.extendUrl, {
      method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrfToken},
    });
    if (!response.ok || response.redirected) return location.reload();
    sync(await response.json());
  }

  // Typing a long note is activity too, though it sends nothing yet.
  for (const type of ["keydown", "pointerdown"]) {
    document.addEventListener(type, () => {
      if (!dialog.open && Date.now() - lastTouch > 60_000) extend();
    }, {passive: true});
  }

  dialog.querySelector("[data-extend]").addEventListener("click", async () => {
    await extend();
    dialog.close();
  });

  async function askServer() {
    // Another tab may have been active: the server's clock decides.
    asking = true;
    try {
      const response = await fetch(dialog.dataset.statusUrl, {
        credentials: "same-origin", headers: {"X-Passive-Request": "1"},
      });
      if (!response.ok || response.redirected) return location.reload();
      sync(await response.json());
    } finally {
      asking = false;
    }
  }

  function show(left) {
    const seconds = Math.max(0, Math.ceil(left / 1000));
    countdown.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  setInterval(async () => {
    if (asking) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      location.reload();  // the server answers with the login page and says why
    } else if (left <= warning && !dialog.open) {
      await askServer();
      if (deadline - Date.now() <= warning) {
        show(deadline - Date.now());
        dialog.showModal();
      }
    } else if (dialog.open) {
      if (left > warning) dialog.close();
      else show(left);
    }
  }, 1000);
})();
