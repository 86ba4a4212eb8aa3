// Attachment fields (templates/forms/widgets/attachments.html): files picked or dropped are uploaded one by one
// to POST /api/v1/attachments with the session and the X-CSRF-Token header, each with a progress bar; an
// uploaded file joins the list with a hidden input holding its id, which is all the form posts.
(function () {
  "use strict";

  function token() {
    var meta = document.querySelector('meta[name="api-csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function humanSize(size) {
    var units = [["GB", 1073741824], ["MB", 1048576], ["KB", 1024]];
    for (var i = 0; i < units.length; i++) {
      if (size >= units[i][1]) return (Math.round(size / units[i][1] * 10) / 10) + " " + units[i][0];
    }
    return size + " B";
  }

  function count(box) {
    return box.querySelectorAll("[data-attachment-list] [data-attachment]").length +
      box.querySelectorAll("[data-attachment-progress] [data-uploading]").length;
  }

  function addFile(box, file) {
    var item = document.createElement("li");
    item.setAttribute("data-attachment", "");
    var link = document.createElement("a");
    link.href = box.dataset.downloadUrl + String(file.id);
    link.setAttribute("download", "");
    link.textContent = file.name;
    var size = document.createElement("span");
    size.className = "attachment-size";
    size.textContent = humanSize(file.size);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "small";
    remove.setAttribute("data-remove-attachment", "");
    remove.setAttribute("aria-label", box.dataset.msgRemove + " " + file.name);
    remove.textContent = box.dataset.msgRemove;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = box.dataset.path;
    input.value = String(file.id);
    item.append(link, " ", size, " ", remove, input);
    box.querySelector("[data-attachment-list]").appendChild(item);
  }

  function failed(row, bar, message) {
    row.removeAttribute("data-uploading");
    row.classList.add("attachment-failed");
    bar.remove();
    var note = document.createElement("span");
    note.className = "field-error";
    note.textContent = message;
    row.appendChild(note);
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "small";
    dismiss.textContent = "×";
    dismiss.setAttribute("aria-label", message);
    dismiss.addEventListener("click", function () { row.remove(); });
    row.appendChild(dismiss);
  }

  function upload(box, file) {
    var row = document.createElement("li");
    row.setAttribute("data-uploading", "");
    var name = document.createElement("span");
    name.textContent = file.name + " ";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    row.append(name, bar);
    box.querySelector("[data-attachment-progress]").appendChild(row);
    if (file.size > Number(box.dataset.maxBytes)) {
      failed(row, bar, box.dataset.msgTooLarge);
      return;
    }
    var data = new FormData();
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", box.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRF-Token", token());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) bar.value = Math.round(event.loaded / event.total * 100);
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 201 && body) {
        row.remove();
        addFile(box, body);
      } else {
        var message = body && ((body.fields && body.fields.file) || body.message);
        failed(row, bar, message || box.dataset.msgFailed);
      }
    });
    xhr.addEventListener("error", function () { failed(row, bar, box.dataset.msgFailed); });
    xhr.send(data);
  }

  function take(box, files) {
    Array.prototype.forEach.call(files, function (file) {
      if (count(box) >= Number(box.dataset.maxItems)) return;
      upload(box, file);
    });
    if (count(box) >= Number(box.dataset.maxItems) && files.length) {
      var note = box.querySelector("[data-attachment-progress]");
      if (note && !note.querySelector("[data-too-many]")) {
        var item = document.createElement("li");
        item.setAttribute("data-too-many", "");
        item.className = "field-warning";
        item.textContent = box.dataset.msgTooMany;
        note.appendChild(item);
      }
    }
  }

  function init(root) {
    (root || document).querySelectorAll("[data-attachments]").forEach(function (box) {
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      var input = box.querySelector("[data-attachment-input]");
      var drop = box.querySelector("[data-attachment-drop]");
      if (!input || !drop) return;
      input.addEventListener("change", function () {
        take(box, input.files);
        input.value = "";
      });
      ["dragenter", "dragover"].forEach(function (type) {
        drop.addEventListener(type, function (event) {
          event.preventDefault();
          drop.classList.add("dragging");
        });
      });
      ["dragleave", "drop"].forEach(function (type) {
        drop.addEventListener(type, function () { drop.classList.remove("dragging"); });
      });
      drop.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files) take(box, event.dataTransfer.files);
      });
      box.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest("[data-remove-attachment]");
        if (button) button.closest("[data-attachment]").remove();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
