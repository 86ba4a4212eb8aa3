// Printable sheets: the 打印 button (the CSP allows no inline handlers).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
