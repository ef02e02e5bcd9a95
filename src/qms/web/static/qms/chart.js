// Renders the SPC chart of a measure page with vega-embed (served by QMS itself, no CDN).
// The chart takes the width of its container, so it fits a phone as well as a huddle screen.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-spec-id]").forEach((element) => {
    const spec = JSON.parse(document.getElementById(element.dataset.specId).textContent);
    spec.width = Math.max(240, element.clientWidth - 8);
    spec.autosize = { type: "fit-x", contains: "padding" };
    element.textContent = "";
    // ast: Vega evaluates expressions with its interpreter instead of compiling them with
    // `new Function`, so the Content-Security-Policy needs no 'unsafe-eval'.
    window.vegaEmbed(element, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg", ast: true })
      .catch((error) => { element.textContent = "The chart could not be drawn: " + error.message; });
  });
});
