// Checkout address: when the province changes, load its communes and wards into the second
// select. Without JavaScript the form has a "Show communes and wards" button that does the same.
(function () {
  "use strict";
  var province = document.getElementById("province_code");
  var ward = document.getElementById("ward_code");
  if (!province || !ward || !window.fetch) return;
  document.querySelectorAll(".js-hidden").forEach(function (el) { el.hidden = true; });
  var placeholder = ward.options.length ? ward.options[0].text : "";
  province.addEventListener("change", function () {
    var code = province.value;
    ward.length = 0;
    ward.add(new Option(placeholder, ""));
    if (!code) return;
    ward.disabled = true;
    fetch("/checkout/wards/" + encodeURIComponent(code), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { wards: [] }; })
      .then(function (data) {
        data.wards.forEach(function (w) { ward.add(new Option(w.name, w.code)); });
      })
      .finally(function () { ward.disabled = false; });
  });
})();
