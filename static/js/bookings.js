// Kallelse: "Skriv ut" opens the browser's print dialog (the page has print CSS).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
