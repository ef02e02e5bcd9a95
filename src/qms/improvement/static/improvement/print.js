// The A3 page's Print button: the browser's own print dialogue, laid out by a3.css's print
// rules (one landscape sheet, two columns). A file, not inline script (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
