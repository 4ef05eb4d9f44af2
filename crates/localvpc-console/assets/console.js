// localvpc console: small progressive enhancements, no dependencies. Every page works without this script.
(function () {
  "use strict";
  // The list filter box: hides the rows that do not contain the text (as the AWS console's filter does).
  document.querySelectorAll("input[data-filter]").forEach(function (box) {
    var table = box.closest(".panel").querySelector("table.list tbody");
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      table.querySelectorAll("tr:not(.empty)").forEach(function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  });
  // The tutorial's pointer: `?hl=<element id>` outlines the element to click next and brings it into view.
  var hl = new URLSearchParams(location.search).get("hl");
  if (hl) {
    hl.split(",").forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.classList.add("highlight"); el.scrollIntoView({ block: "center" }); }
    });
  }
  // Live pages (the network map): poll the world version and reload the live part when it changes.
  document.querySelectorAll("[data-live]").forEach(function (part) {
    var version = part.getAttribute("data-version");
    setInterval(function () {
      fetch("/console/version", { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (v) {
        if (v === version) return;
        version = v;
        fetch(part.getAttribute("data-live") + location.search, { credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) { part.innerHTML = html; part.setAttribute("data-version", v); });
      });
    }, 1000);
  });
})();
