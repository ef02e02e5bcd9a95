// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
// A button with data-copy="<input id>" copies that field (a new API key); hidden without script.
document.querySelectorAll("button[data-copy]").forEach((button) => { button.hidden = false; });
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copied-for="${button.dataset.copy}"]`);
  field.select();
  navigator.clipboard.writeText(field.value).then(
    () => { if (status) status.textContent = "Copied."; },
    () => { if (status) status.textContent = "Could not copy: select the key and copy it."; },
  );
});
