// 批量发起: post the selected project codes a few at a time, so the progress bar moves and each request stays
// short (every project is started in its own transaction on the server), then show what started and what was
// skipped. Without this script the form posts everything at once and the server answers with the result page.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return String(values[key]); });
  }

  function item(text, link, linkText) {
    var li = document.createElement("li");
    li.textContent = text;
    if (link) {
      li.appendChild(document.createTextNode(" · "));
      var a = document.createElement("a");
      a.href = link;
      a.textContent = linkText;
      li.appendChild(a);
    }
    return li;
  }

  function syncSelection(form) {
    var boxes = form.querySelectorAll("input[name=codes]");
    var checked = form.querySelectorAll("input[name=codes]:checked").length;
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    var count = form.querySelector("[data-selected-count]");
    if (count) count.textContent = String(checked);
    var button = form.querySelector("[data-bulk-submit]");
    if (button) button.disabled = checked === 0;
  }

  function postChunk(url, year, codes) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: JSON.stringify({ fiscal_year: year, codes: codes })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (!resp.ok) throw new Error(body.message || ("HTTP " + resp.status));
        return body;
      });
    });
  }

  function run(form) {
    var page = form.closest(".batch-page");
    var progress = page.querySelector("[data-batch-progress]");
    var bar = progress.querySelector("[data-bar]");
    var text = progress.querySelector("[data-progress-text]");
    var results = page.querySelector("[data-batch-results]");
    var startedList = results.querySelector("[data-started]");
    var skippedList = results.querySelector("[data-skipped]");
    var errorBox = results.querySelector("[data-batch-error]");
    var codes = Array.prototype.map.call(form.querySelectorAll("input[name=codes]:checked"),
                                         function (box) { return box.value; });
    var size = parseInt(form.getAttribute("data-chunk"), 10) || 10;
    var year = parseInt(form.getAttribute("data-fiscal-year"), 10);
    var url = form.getAttribute("data-chunk-url");
    var done = 0, started = 0, skipped = 0;

    form.querySelectorAll("button, input").forEach(function (el) { el.disabled = true; });
    bar.max = codes.length;
    bar.value = 0;
    progress.hidden = false;
    function show() {
      bar.value = done;
      text.textContent = fill(text.getAttribute("data-template"), { done: done, total: codes.length });
    }
    function finish(error) {
      var summary = results.querySelector("[data-result-summary]");
      summary.textContent = fill(summary.getAttribute("data-template"), { started: started, skipped: skipped });
      if (skipped) results.querySelector("[data-skipped-section]").hidden = false;
      if (error) {
        errorBox.textContent = error;
        errorBox.hidden = false;
      }
      form.hidden = true;
      results.hidden = false;
      results.scrollIntoView({ block: "start" });
    }
    function next(at) {
      if (at >= codes.length) return finish(null);
      var chunk = codes.slice(at, at + size);
      postChunk(url, year, chunk).then(function (body) {
        (body.started || []).forEach(function (row) {
          started += 1;
          startedList.appendChild(item(row.project_code + " " + (row.name || ""), row.url,
                                       startedList.getAttribute("data-link-text")));
        });
        (body.skipped || []).forEach(function (row) {
          skipped += 1;
          skippedList.appendChild(item(row.project_code + " " + (row.name || "") + "：" + row.reason));
        });
        done += chunk.length;
        show();
        next(at + size);
      }).catch(function (err) {
        finish(err.message);
      });
    }
    show();
    next(0);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-batch]");
    if (!form) return;
    if (event.target.hasAttribute("data-select-all")) {
      form.querySelectorAll("input[name=codes]").forEach(function (box) { box.checked = event.target.checked; });
    }
    syncSelection(form);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-batch]") || !window.fetch) return;
    event.preventDefault();
    run(form);
  });
})();
