// The partners' quick order: as a quantity is typed, ask the server for the lines' prices and
// show what it answers (it decides every price; nothing is computed here). Without JavaScript
// the "Update prices" button does the same in a page load. On the review page, choosing another
// location or date shows its dates and windows at once.
(function () {
  "use strict";

  var form = document.querySelector("form[data-quick-order]");
  if (form && window.fetch && window.FormData) {
    var url = form.getAttribute("data-price-url");
    var timer = null;
    var pending = null;

    var setText = function (selector, text) {
      var el = form.querySelector(selector);
      if (el) {
        el.textContent = text;
      }
    };

    var show = function (answer) {
      Object.keys(answer.lines).forEach(function (id) {
        var line = answer.lines[id];
        setText('[data-line-total="' + id + '"]', line.total);
        setText('[data-line-price="' + id + '"]', line.unit_price ? line.unit_price_each : "");
        setText('[data-line-source="' + id + '"]', line.source);
        setText('[data-line-saving="' + id + '"]', line.saving_text || "");
        setText('[data-line-problem="' + id + '"]', line.problem);
        var input = document.getElementById("qty-" + id);
        if (input) {
          if (line.problem) {
            input.setAttribute("aria-invalid", "true");
          } else {
            input.removeAttribute("aria-invalid");
          }
          var row = input.closest("tr");
          if (row) {
            row.classList.toggle("row-error", Boolean(line.problem));
          }
        }
      });
      setText('[data-summary="count"]', String(answer.count));
      setText('[data-summary="subtotal"]', answer.subtotal);
      setText('[data-summary="saving"]', answer.saving_total);
      setText('[data-summary="problems"]', answer.problems_text);
    };

    var ask = function () {
      if (pending) {
        pending.abort();
      }
      pending = window.AbortController ? new AbortController() : null;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (answer && answer.lines) {
            show(answer);
          }
        })
        .catch(function () {
          // Offline or aborted: "Update prices" still works.
        });
    };

    form.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("input[data-variant]")) {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 350);
      }
    });
  }

  var refresh = document.querySelector("button[data-refresh]");
  if (refresh) {
    document.querySelectorAll("select[data-refresh-on-change]").forEach(function (select) {
      select.addEventListener("change", function () {
        refresh.click();
      });
    });
  }
})();
