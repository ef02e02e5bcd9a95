// The progress page of a report PDF: asks for the export's status every second and a half,
// shows the progress, and reloads the page once the PDF is ready (or has failed), which then
// shows the download link. Without JavaScript the page's refresh link does the same.
document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("export");
  if (!section || !section.dataset.statusUrl) return;
  const show = (name, value) => {
    section.querySelectorAll(`[data-field="${name}"]`).forEach((element) => { element.textContent = value; });
  };
  const poll = () => {
    fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((status) => {
        if (status.status === "done" || status.status === "failed") {
          window.location.reload();
          return;
        }
        show("status_text", status.status_text);
        show("progress", status.progress);
        show("stage", status.stage);
        const bar = document.getElementById("export-progress");
        if (bar) bar.value = status.progress;
        window.setTimeout(poll, 1500);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 1000);
});
