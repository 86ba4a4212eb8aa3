// The top navigation's menus (base.html, server/web/nav.py). Without this script each menu is a <details>;
// here each becomes a disclosure button (aria-expanded, aria-controls) showing its list of links.
// Escape closes and returns focus to the button, arrow keys move through the links, tabbing or clicking
// elsewhere closes; one menu is open at a time.
(function () {
  "use strict";

  var menus = [];

  function setOpen(menu, open) {
    menu.button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.list.hidden = !open;
  }

  function closeOthers(keep) {
    menus.forEach(function (m) { if (m !== keep) setOpen(m, false); });
  }

  function enhance(item) {
    var details = item.querySelector("details");
    var summary = details && details.querySelector("summary");
    var list = details && details.querySelector(".nav-submenu");
    if (!summary || !list) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "nav-top nav-menu-button";
    button.textContent = summary.textContent;
    button.setAttribute("aria-controls", list.id);
    var menu = {item: item, button: button, list: list};
    item.replaceChild(button, details);
    item.appendChild(list);
    setOpen(menu, false);
    menus.push(menu);

    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      closeOthers(menu);
      setOpen(menu, open);
    });
    item.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !list.hidden) {
        setOpen(menu, false);
        button.focus();
        event.preventDefault();
        return;
      }
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var down = event.key === "ArrowDown";
      var at = links.indexOf(document.activeElement);
      if (event.target === button) {
        closeOthers(menu);
        setOpen(menu, true);
        links[down ? 0 : links.length - 1].focus();
      } else if (at >= 0) {
        links[(at + (down ? 1 : links.length - 1)) % links.length].focus();
      } else {
        return;
      }
      event.preventDefault();
    });
    // Tabbing out closes; a click elsewhere (no focus target in some browsers) is the document's business.
    item.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !item.contains(event.relatedTarget)) setOpen(menu, false);
    });
  }

  document.addEventListener("click", function (event) {
    menus.forEach(function (m) { if (!m.item.contains(event.target)) setOpen(m, false); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-nav-menu]").forEach(enhance);
  });
})();
