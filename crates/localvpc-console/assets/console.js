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
  // Rule editors (security groups, network ACLs): a Type fixes the Protocol and Port range or leaves them to type.
  document.querySelectorAll("select[data-rule-type]").forEach(function (select) {
    var row = select.closest("tr");
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      [["protocol", "data-protocol"], ["ports", "data-ports"]].forEach(function (pair) {
        var field = row.querySelector("input[name$='." + pair[0] + "']");
        var fixed = option.getAttribute(pair[1]);
        field.readOnly = fixed !== null;
        field.value = fixed !== null ? fixed : "";
      });
    });
  });
  // Launch form: the subnets and security groups of the chosen VPC only.
  var vpcPicker = document.querySelector("select[data-vpc-picker]");
  if (vpcPicker) {
    // On load, a choice of another VPC that the form came back with (AWS refused it) stays shown.
    var narrow = function (initial) {
      document.querySelectorAll("[data-vpc]").forEach(function (el) {
        var chosen = el.tagName === "OPTION" ? el.selected : el.querySelector("input:checked") !== null;
        var mine = el.getAttribute("data-vpc") === vpcPicker.value || (initial === true && chosen);
        el.hidden = !mine;
        if (el.tagName === "OPTION") {
          el.disabled = !mine;
        } else if (!mine) {
          el.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
        }
      });
      document.querySelectorAll("select").forEach(function (select) {
        var chosen = select.options[select.selectedIndex];
        if (chosen && chosen.disabled) {
          var first = Array.prototype.find.call(select.options, function (o) { return !o.disabled; });
          if (first) select.value = first.value;
        }
      });
    };
    vpcPicker.addEventListener("change", narrow);
    narrow(true);
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
