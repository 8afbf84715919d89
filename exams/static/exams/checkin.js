// Check-in page: keep the scan field focused, so a USB barcode scanner's next ticket (typed keys
// followed by Enter) lands in it without a click. Without this script the field is still
// autofocused on every page load, which is after every action.
(function () {
  "use strict";
  var field = document.getElementById("scan-q");
  if (!field) {
    return;
  }
  var typing = "input, textarea, select";

  function refocus() {
    field.focus();
    field.select();
  }

  refocus();

  // A click on plain text or the page background gives focus back to the field.
  document.addEventListener("click", function (event) {
    if (!event.target.closest(typing + ", button, a, label, summary")) {
      refocus();
    }
  });

  // A scan arriving while a button or link has focus must not press it with its Enter: the first
  // printable key moves focus to the field, so the whole number goes there.
  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    if (active === field || (active && active.matches(typing))) {
      return;
    }
    if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      field.value = "";
      field.focus();
    }
  });
})();
