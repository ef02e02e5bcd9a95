// "Similar work elsewhere" beside a form that starts a project, a priority or a network: as the
// person types, the panel asks /learn/similar/ for suggestions (debounced) and shows the HTML
// fragment it answers. Without script the panel's button posts the form to that page instead.
// A file, not inline script (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-similar-url]").forEach((panel) => {
    const form = document.getElementById(panel.dataset.similarForm);
    const results = panel.querySelector("[data-similar-results]");
    if (!form || !results) return;
    const names = ["title", "name", "aim", "problem", "topic", "measures", "factors"];
    let timer = null;
    let last = "";
    let controller = null;
    const refresh = () => {
      const params = new URLSearchParams({ fragment: "1" });
      names.forEach((name) => {
        const field = form.elements.namedItem(name);
        // Only text: a select named "aim" (a priority's aim) holds an id, not words.
        if (field && "value" in field && field.tagName !== "SELECT" && field.value.trim()) {
          params.set(name, field.value.slice(0, 10000));
        }
      });
      if (panel.dataset.similarExclude) params.set("exclude", panel.dataset.similarExclude);
      const query = params.toString();
      if (query === last) return;
      last = query;
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(`${panel.dataset.similarUrl}?${query}`, {
        credentials: "same-origin",
        signal: controller.signal,
        headers: { "X-Requested-With": "fetch" },
      })
        .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
        .then((html) => {
          results.innerHTML = html;
        })
        .catch(() => {});
    };
    form.addEventListener("input", (event) => {
      if (!names.includes(event.target.name)) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    // The panel follows the typing: the button for browsers without script goes.
    const button = panel.querySelector("[data-similar-button]");
    if (button) button.remove();
    refresh();
  });
});
