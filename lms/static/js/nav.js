/* Main navigation: each group becomes a disclosure button (ARIA APG "disclosure navigation");
   without this script every group's links stay listed under its name. */
(function () {
  "use strict";

  function topControls(nav) {
    return Array.prototype.filter.call(
      nav.querySelectorAll(".nav-list > li > a, .nav-list > li > .nav-group-button"),
      function (el) { return el.offsetParent !== null; });
  }

  function links(menu) {
    return Array.prototype.slice.call(menu.querySelectorAll("a"));
  }

  function menuOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menuOf(button).hidden = !open;
  }

  function closeAll(nav, except) {
    nav.querySelectorAll(".nav-group-button[aria-expanded='true']").forEach(function (button) {
      if (button !== except) { setOpen(button, false); }
    });
  }

  function moveWithin(list, current, key) {
    var index = list.indexOf(current);
    var next = {ArrowDown: index + 1, ArrowRight: index + 1, ArrowUp: index - 1, ArrowLeft: index - 1,
                Home: 0, End: list.length - 1}[key];
    if (next === undefined || index < 0) { return false; }
    list[Math.max(0, Math.min(list.length - 1, next))].focus();
    return true;
  }

  function onKey(nav, event) {
    var target = event.target;
    var group = target.closest(".nav-group");
    var button = group && group.querySelector(".nav-group-button");
    if (event.key === "Escape") {
      if (button && button.getAttribute("aria-expanded") === "true") {
        setOpen(button, false);
        button.focus();
      } else if (nav.classList.contains("open")) {
        toggleCompact(nav, false);
        nav.querySelector(".nav-toggle").focus();
      } else { return; }
      event.preventDefault();
      return;
    }
    if (group && target.closest(".nav-menu")) {
      // Up and Down walk the open menu's links; Home and End jump to its ends.
      if (["ArrowDown", "ArrowUp", "Home", "End"].indexOf(event.key) >= 0 &&
          moveWithin(links(menuOf(button)), target, event.key)) { event.preventDefault(); }
      return;
    }
    if (target === button && event.key === "ArrowDown" && button.getAttribute("aria-expanded") === "true") {
      links(menuOf(button))[0].focus();
      event.preventDefault();
      return;
    }
    if (moveWithin(topControls(nav), target, event.key)) { event.preventDefault(); }
  }

  function toggleCompact(nav, open) {
    nav.classList.toggle("open", open);
    nav.querySelector(".nav-toggle").setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { closeAll(nav, null); }
  }

  function enhance(nav) {
    nav.querySelectorAll(".nav-group").forEach(function (group) {
      var button = group.querySelector(".nav-group-button");
      group.querySelector(".nav-group-label").hidden = true;
      button.hidden = false;
      setOpen(button, false);
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        closeAll(nav, button);
        setOpen(button, open);
      });
      group.addEventListener("focusout", function (event) {
        if (!group.contains(event.relatedTarget) && event.relatedTarget !== null) { setOpen(button, false); }
      });
    });
    var toggle = nav.querySelector(".nav-toggle");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      toggleCompact(nav, toggle.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) { onKey(nav, event); });
    document.addEventListener("click", function (event) {
      if (!nav.contains(event.target)) { closeAll(nav, null); }
    });
    nav.classList.add("enhanced");
  }

  // On narrow screens tables scroll sideways (see app.css); a table that does must be reachable by
  // keyboard so its hidden columns can be scrolled into view.
  function focusableScrollingTables() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      if (table.scrollWidth > table.clientWidth + 1 && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
      }
    });
  }

  function start() {
    var nav = document.getElementById("main-nav");
    if (nav) { enhance(nav); }
    focusableScrollingTables();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
