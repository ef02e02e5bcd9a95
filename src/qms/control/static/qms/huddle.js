// A huddle board on a screen in the ward reloads itself every few minutes, so the numbers stay
// current without anyone touching it. Someone reading or presenting it can pause that (WCAG
// 2.2.1: a page must not change under its reader without a way to stop it). Without this
// script the board does not reload at all; a browser refresh shows the latest.
document.addEventListener("DOMContentLoaded", () => {
  const control = document.querySelector("[data-refresh-seconds]");
  if (!control) return;
  const seconds = Number(control.dataset.refreshSeconds);
  const status = control.querySelector("[data-refresh-status]");
  const button = control.querySelector("button");
  const pausedKey = "qms-huddle-paused";
  let timer = null;

  function show(paused) {
    status.textContent = paused
      ? "Automatic refresh is paused."
      : `Refreshes every ${Math.round(seconds / 60)} minutes.`;
    button.textContent = paused ? "Resume refreshing" : "Pause refreshing";
    button.setAttribute("aria-pressed", paused ? "true" : "false");
  }

  function start() {
    timer = window.setTimeout(() => window.location.reload(), seconds * 1000);
  }

  button.addEventListener("click", () => {
    const paused = timer !== null;
    if (paused) {
      window.clearTimeout(timer);
      timer = null;
      window.sessionStorage.setItem(pausedKey, "1");
    } else {
      window.sessionStorage.removeItem(pausedKey);
      start();
    }
    show(paused);
  });

  const paused = window.sessionStorage.getItem(pausedKey) === "1";
  if (!paused) start();
  show(paused);
  control.hidden = false;
});
