// On a phone, the filters start folded so the products come first; without JavaScript, or
// once a filter is in use, they stay open. Matches the 56.25em breakpoint in shop.css.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".facet-toggle");
  const filtered = /[?&](stars|group|province|producer|min_price|max_price|in_stock)=/.test(location.search);
  if (toggle && !filtered && !window.matchMedia("(min-width: 56.25em)").matches) {
    toggle.open = false;
  }
});
