// Renders the SPC chart of a measure page with vega-embed (served by QMS itself, no CDN).
// The chart takes the width of its container, so it fits a phone as well as a huddle screen.
// vega-embed's own actions menu is an unnamed <details> control, so it is turned off and the
// downloads are offered as ordinary links under the chart.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-spec-id]").forEach((element) => {
    const spec = JSON.parse(document.getElementById(element.dataset.specId).textContent);
    spec.width = Math.max(240, element.clientWidth - 8);
    spec.autosize = { type: "fit-x", contains: "padding" };
    const title = spec.title;
    if (spec.width < 600) delete spec.title; // the page's heading names the measure already
    fitToWidth(spec, spec.width);
    element.textContent = "";
    // ast: Vega evaluates expressions with its interpreter instead of compiling them with
    // `new Function`, so the Content-Security-Policy needs no 'unsafe-eval'.
    window.vegaEmbed(element, spec, { actions: false, renderer: "svg", ast: true })
      .then((result) => offerDownloads(element, result.view, title))
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

// The specification names its x-axis ticks (every k-th point's date, for a 760 px chart). Under
// the Content-Security-Policy Vega cannot evaluate that list (no eval), and draws no dates at
// all; a tick count does not need it. On a phone, fewer ticks, and the legend in one column.
function fitToWidth(node, width) {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) { node.forEach((child) => fitToWidth(child, width)); return; }
  if (node.axis && Array.isArray(node.axis.values)) {
    node.axis.tickCount = Math.max(2, Math.min(node.axis.values.length, Math.floor(width / 90)));
    delete node.axis.values;
  }
  if (width < 600 && node.legend && typeof node.legend === "object") {
    node.legend.columns = 1;
    node.legend.direction = "vertical";
  }
  Object.values(node).forEach((child) => fitToWidth(child, width));
}
