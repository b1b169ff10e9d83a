/* "Near me": fill the latitude and longitude from the device's location, then ask.
   Without JavaScript (or without permission) people type the coordinates. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".near-me-form");
    var button = form && form.querySelector("[data-locate]");
    if (!button || !("geolocation" in navigator)) return;
    var status = form.querySelector(".locate-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = form.dataset.locating;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = position.coords.latitude.toFixed(6);
          form.elements.long.value = position.coords.longitude.toFixed(6);
          form.submit();
        },
        function () {
          status.textContent = form.dataset.unavailable;
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
})();
