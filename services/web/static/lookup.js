// Autocomplete for the company and regulator fields of the subscription form: as the member types the
// last comma-separated entry, the knowledge base is searched (by any alias or local-script name) and
// the matches offered in the field's datalist, each completing the field with the entity's id.
(function () {
  "use strict";
  function lastEntry(value) {
    var parts = value.split(",");
    return { head: parts.slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean), last: parts[parts.length - 1].trim() };
  }
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      var entry = lastEntry(input.value);
      if (entry.last.length < 1 || entry.last === asked) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        asked = entry.last;
        var url = "/lookup?kind=" + encodeURIComponent(input.dataset.lookup) + "&q=" + encodeURIComponent(entry.last);
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : []; }).then(function (found) {
          list.textContent = "";
          found.forEach(function (entity) {
            var option = document.createElement("option");
            option.value = entry.head.concat([entity.id]).join(", ");
            option.label = entity.label;
            list.appendChild(option);
          });
          input.dataset.suggestions = String(found.length);
        });
      }, 150);
    });
  }
  document.querySelectorAll("input[data-lookup]").forEach(attach);
})();
