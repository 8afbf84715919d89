// Invigilator console: refresh the roster in place every few seconds. Only the text cells and the
// counts change; rows keep their elements, so focus, an open action panel and anything typed in
// it stay as they are. Without this script the page works the same, reloaded by hand.
(function () {
  "use strict";
  var table = document.getElementById("console-roster");
  if (!table || !window.fetch) {
    return;
  }
  var INTERVAL = 3000;
  var url = table.getAttribute("data-url");
  var summary = document.getElementById("console-summary");
  var updated = document.getElementById("console-updated");
  var offline = document.getElementById("console-offline");
  var hint = document.getElementById("console-static");
  if (hint) {
    hint.hidden = true;
  }

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  // An action panel the invigilator has open (or is typing in) is left exactly as it is; the
  // server refuses its action if the candidate's state moved meanwhile.
  function busy(row) {
    var panel = row.querySelector("details");
    return panel && (panel.open || panel.contains(document.activeElement));
  }

  function updateRow(row, data) {
    row.setAttribute("data-state", data.state);
    ["state_text", "event", "extra"].forEach(function (field) {
      setText(row.querySelector('[data-field="' + field + '"]'), data[field]);
    });
    if (busy(row)) {
      return;
    }
    Array.prototype.forEach.call(row.querySelectorAll("[data-action]"), function (part) {
      part.hidden = data.actions.indexOf(part.getAttribute("data-action")) < 0;
    });
    Array.prototype.forEach.call(row.querySelectorAll('input[name="seen"]'), function (input) {
      input.value = data.stamp;
    });
  }

  function apply(data) {
    var changed = table.tBodies[0].rows.length !== data.rows.length;
    data.rows.forEach(function (rowData) {
      var row = document.getElementById("cand-" + rowData.id);
      if (row) {
        updateRow(row, rowData);
      } else {
        changed = true;
      }
    });
    Object.keys(data.counts).forEach(function (state) {
      setText(document.getElementById("count-" + state), String(data.counts[state]));
    });
    setText(summary, data.summary + (changed ? " " + table.getAttribute("data-changed") : ""));
    setText(updated, data.updated);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        apply(data);
        offline.hidden = true;
      })
      .catch(function () {
        offline.hidden = false;
      })
      .then(function () {
        window.setTimeout(poll, INTERVAL);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
