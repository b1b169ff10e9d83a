/* The case page: the map (when tiles are configured and Leaflet loaded), and a message
   when an action could not reach the server. Everything works without this file. */
(function () {
  "use strict";

  function drawMap() {
    var box = document.getElementById("case-map");
    if (!box || !window.L || !box.dataset.tiles) return;
    var point = [parseFloat(box.dataset.lat), parseFloat(box.dataset.long)];
    var map = window.L.map(box, { scrollWheelZoom: false }).setView(point, 17);
    window.L.tileLayer(box.dataset.tiles, {
      maxZoom: 19,
      attribution: box.dataset.attribution || ""
    }).addTo(map);
    window.L.marker(point, { keyboard: false }).addTo(map);
  }

  function say(text) {
    var area = document.getElementById("messages");
    if (!area || !text) return;
    var line = document.createElement("p");
    line.className = "message message-error";
    line.textContent = text;
    area.replaceChildren(line);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawMap();
    var layout = document.querySelector(".case-layout");
    var failed = layout ? layout.dataset.failedMessage : "";
    // A 500 or a dropped connection: HTMX swaps nothing, so say so instead of staying silent.
    document.body.addEventListener("htmx:responseError", function () { say(failed); });
    document.body.addEventListener("htmx:sendError", function () { say(failed); });
  });
})();
