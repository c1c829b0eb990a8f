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
