// Renders the SPC chart of a measure page with vega-embed (served by QMS itself, no CDN).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-spec-id]").forEach((element) => {
    const spec = JSON.parse(document.getElementById(element.dataset.specId).textContent);
    window.vegaEmbed(element, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg" })
      .catch((error) => { element.textContent = "The chart could not be drawn: " + error.message; });
  });
});
