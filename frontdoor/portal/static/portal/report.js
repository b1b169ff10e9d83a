/* The report form's map, "use my location" and address suggestions. Everything here is an
   enhancement: without JavaScript (or without Leaflet) the address box does the job. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.getElementById("report-form");
    if (!form) return;
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_long");
    var address = document.getElementById("id_address");
    var addressId = document.getElementById("id_address_id");
    var postal = document.getElementById("id_postal_code");
    var status = document.getElementById("location-status");
    var mapEl = document.getElementById("report-map");
    var locateButton = document.getElementById("use-my-location");
    var clearButton = document.getElementById("clear-location");
    var suggestions = document.getElementById("address-suggestions");
    var map = null;
    var marker = null;
    var autoAddress = false;
    var pointFromSuggestion = false;

    function readJson(id) {
      var el = document.getElementById(id);
      try { return el ? JSON.parse(el.textContent) : null; } catch (e) { return null; }
    }

    function loadNearby() {
      if (!window.htmx || !lat.value || !lng.value) return;
      var url = mapEl.dataset.nearbyUrl + "?lat=" + encodeURIComponent(lat.value) +
        "&long=" + encodeURIComponent(lng.value);
      window.htmx.ajax("GET", url, { target: "#nearby-region", swap: "innerHTML" });
    }

    function showPin(latValue, lngValue) {
      if (!map) return;
      var point = [latValue, lngValue];
      if (!marker) {
        marker = L.marker(point, { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          setPoint(p.lat, p.lng, { fromMap: true });
        });
      } else {
        marker.setLatLng(point);
      }
      map.setView(point, Math.max(map.getZoom(), 16));
    }

    function setPoint(latValue, lngValue, options) {
      options = options || {};
      pointFromSuggestion = false;
      lat.value = Number(latValue).toFixed(6);
      lng.value = Number(lngValue).toFixed(6);
      status.textContent = options.message || mapEl.dataset.located;
      clearButton.hidden = false;
      showPin(Number(lat.value), Number(lng.value));
      if (options.fromMap) {
        addressId.value = "";
        postal.value = "";
        fetch(mapEl.dataset.reverseUrl + "?lat=" + lat.value + "&long=" + lng.value)
          .then(function (r) { return r.ok ? r.json() : {}; })
          .then(function (place) {
            if (place.address && (!address.value || autoAddress)) {
              address.value = place.address;
              addressId.value = place.address_id || "";
              postal.value = place.postal_code || "";
              autoAddress = true;
            }
          })
          .catch(function () {});
      }
      loadNearby();
    }

    // Map: the city's outline always, tiles only when the city configured a tile server.
    if (window.L && mapEl) {
      mapEl.hidden = false;
      map = L.map(mapEl, { scrollWheelZoom: false });
      var tiles = mapEl.dataset.tileUrl;
      if (tiles) {
        L.tileLayer(tiles, { maxZoom: 19, attribution: mapEl.dataset.attribution || "" }).addTo(map);
      }
      var boundary = readJson("city-boundary");
      var bounds = readJson("city-bounds");
      if (boundary) {
        L.geoJSON(boundary, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.04 }, interactive: false }).addTo(map);
      }
      if (bounds) map.fitBounds(bounds);
      else map.setView([0, 0], 2);
      map.on("click", function (event) {
        setPoint(event.latlng.lat, event.latlng.lng, { fromMap: true });
      });
      if (lat.value && lng.value) showPin(Number(lat.value), Number(lng.value));
    }

    if (lat.value && lng.value) clearButton.hidden = false;
    clearButton.addEventListener("click", function () {
      lat.value = ""; lng.value = ""; addressId.value = ""; postal.value = "";
      status.textContent = "";
      clearButton.hidden = true;
      if (marker) { map.removeLayer(marker); marker = null; }
      var region = document.getElementById("nearby-region");
      if (region) region.innerHTML = "";
    });

    if ("geolocation" in navigator) {
      locateButton.hidden = false;
      locateButton.addEventListener("click", function () {
        status.textContent = mapEl.dataset.locating;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            setPoint(position.coords.latitude, position.coords.longitude, { fromMap: true });
          },
          function () { status.textContent = mapEl.dataset.geoError; },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }

    // Typing a new address forgets a position that came from somewhere else.
    address.addEventListener("input", function () {
      if (pointFromSuggestion) {
        lat.value = ""; lng.value = ""; status.textContent = "";
        pointFromSuggestion = false;
      }
      autoAddress = false;
      addressId.value = "";
      postal.value = "";
    });

    suggestions.addEventListener("click", function (event) {
      var choice = event.target.closest(".address-choice");
      if (!choice) return;
      address.value = choice.dataset.address;
      addressId.value = choice.dataset.addressId || "";
      postal.value = choice.dataset.postalCode || "";
      autoAddress = false;
      suggestions.innerHTML = "";
      setPoint(choice.dataset.lat, choice.dataset.long, { message: choice.dataset.address });
      pointFromSuggestion = true;
      address.focus();
    });

    // After a round trip with problems or a notice, take keyboard and screen-reader users there.
    var summary = document.getElementById("error-summary") || document.getElementById("form-notice");
    if (summary) summary.focus();
  });
})();
