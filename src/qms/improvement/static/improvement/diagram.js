// Draws driver diagrams with vega-embed (served by QMS itself, no CDN). The specification is
// Vega's (qms.stats.diagrams); its width grows with the diagram's depth and is never shrunk to
// the screen: on a phone the drawing scrolls sideways inside its region.
// ast: Vega evaluates expressions with its interpreter instead of compiling them with
// `new Function`, so the Content-Security-Policy needs no 'unsafe-eval'.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-diagram-spec]").forEach((element) => {
    const spec = JSON.parse(document.getElementById(element.dataset.diagramSpec).textContent);
    element.textContent = "";
    window.vegaEmbed(element, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      // Each box's link goes to its node on this site, in this tab.
      loader: { target: "_self" },
    }).catch((error) => {
      element.textContent = "The drawing could not be made: " + error.message;
    });
  });
});
