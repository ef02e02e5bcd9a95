// Renders the SPC chart of a measure page with vega-embed (served by QMS itself, no CDN).
// The chart takes the width of its container, so it fits a phone as well as a huddle screen.
// vega-embed's own actions menu is an unnamed <details> control, so it is turned off and the
// downloads are offered as ordinary links under the chart.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-spec-id]").forEach((element) => {
    const spec = JSON.parse(document.getElementById(element.dataset.specId).textContent);
    spec.width = Math.max(240, element.clientWidth - 8);
    spec.autosize = { type: "fit-x", contains: "padding" };
    element.textContent = "";
    // ast: Vega evaluates expressions with its interpreter instead of compiling them with
    // `new Function`, so the Content-Security-Policy needs no 'unsafe-eval'.
    window.vegaEmbed(element, spec, { actions: false, renderer: "svg", ast: true })
      .then((result) => offerDownloads(element, result.view, spec.title))
      .catch((error) => { element.textContent = "The chart could not be drawn: " + error.message; });
  });
});

function offerDownloads(element, view, title) {
  const name = String((title && title.text) || title || "chart").replace(/[^\w-]+/g, "-").toLowerCase();
  const links = document.createElement("p");
  links.className = "chart-downloads";
  [["svg", "SVG"], ["png", "PNG"]].forEach(([type, label]) => {
    const link = document.createElement("a");
    link.textContent = `Download the chart (${label})`;
    link.href = "#";
    link.download = `${name}.${type}`;
    link.addEventListener("click", (event) => {
      if (link.dataset.ready) return; // the image is made on the first click
      event.preventDefault();
      view.toImageURL(type, type === "png" ? 2 : 1).then((url) => {
        link.href = url;
        link.dataset.ready = "1";
        link.click();
      });
    });
    links.append(link);
  });
  element.after(links);
}
