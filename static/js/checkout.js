// Checkout address: when the province changes, load its communes and wards into the second
// select, and the delivery choices with their prices for it. Without JavaScript the form has a
// "Show communes and wards" button that reloads the page with both.
(function () {
  "use strict";
  var province = document.getElementById("province_code");
  var ward = document.getElementById("ward_code");
  var delivery = document.getElementById("delivery-options");
  if (!province || !ward || !window.fetch) return;
  document.querySelectorAll(".js-hidden").forEach(function (el) { el.hidden = true; });
  var placeholder = ward.options.length ? ward.options[0].text : "";

  function loadWards(code) {
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
  }

  function loadDelivery(code) {
    if (!delivery || !code) return;
    var chosen = delivery.querySelector("input[type=radio]:checked");
    var url = delivery.getAttribute("data-url") + encodeURIComponent(code) +
      "?chosen=" + encodeURIComponent(chosen ? chosen.value : "");
    fetch(url, { headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) delivery.innerHTML = html; });
  }

  province.addEventListener("change", function () {
    loadWards(province.value);
    loadDelivery(province.value);
  });
})();
