// No framework, no build step. Everything that comes from the server is inserted as text, never as HTML.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function mb(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }
  // interface text comes from the page (data-t-* attributes), already in the person's language
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // ---- new meeting: upload with a progress bar ---------------------------------------------------
  var form = document.getElementById("new-meeting");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var limit = parseInt(form.dataset.limit, 10);
      var file = form.querySelector('input[type=file]').files[0];
      var box = form.querySelector(".upload-progress");
      var bar = box.querySelector("progress");
      var text = box.querySelector(".upload-text");
      var button = form.querySelector('button[type=submit]');
      // the message sits beside the button just pressed, not at the top of a long form out of view
      var banner = document.getElementById("form-error");
      var show = function (message) {
        banner.textContent = message;
        banner.hidden = false;
        banner.parentElement.scrollIntoView({block: "nearest"});  // the message and the button
      };
      banner.hidden = true;
      if (file && limit && file.size > limit) {
        show(fill(form.dataset.tTooLarge, {name: file.name, size: mb(file.size), limit: mb(limit)}));
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      box.hidden = false;
      button.disabled = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round(100 * e.loaded / e.total);
          text.textContent = fill(form.dataset.tUploading, {done: mb(e.loaded), total: mb(e.total)});
        }
      });
      xhr.upload.addEventListener("load", function () { text.textContent = form.dataset.tChecking; });
      xhr.addEventListener("load", function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = {error: fill(form.dataset.tUnexpected, {status: xhr.status})}; }
        if (xhr.status < 400 && data.job_url) {
          window.location.assign(data.job_url);
          return;
        }
        show((data.error || form.dataset.tFailed) + (data.hint ? " — " + data.hint : ""));
        box.hidden = true;
        button.disabled = false;
      });
      xhr.addEventListener("error", function () {
        show(form.dataset.tInterrupted);
        box.hidden = true;
        button.disabled = false;
      });
      xhr.send(new FormData(form));
    });
  }

  // ---- job page: poll the status until the draft is ready ----------------------------------------
  var job = document.getElementById("job");
  if (job) {
    var poll = function () {
      fetch(job.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          document.getElementById("job-message").textContent = s.message || "";
          var bar = document.getElementById("job-progress");
          var percent = document.getElementById("job-percent");
          if (s.progress === null || s.progress === undefined) { bar.removeAttribute("value"); percent.textContent = ""; }
          else { bar.value = Math.round(s.progress * 100); percent.textContent = bar.value + " %"; }
          var eta = document.getElementById("job-eta");
          if (s.eta_seconds === null || s.eta_seconds === undefined) { eta.textContent = ""; }
          else if (s.eta_seconds < 60) { eta.textContent = eta.dataset.tSoon; }
          else { eta.textContent = eta.dataset.tMinutes.replace("{n}", String(Math.ceil(s.eta_seconds / 60))); }
          if (s.status === "done" && s.meeting_id) {
            var link = document.getElementById("job-link");
            link.href = "/m/" + encodeURIComponent(s.meeting_id);
            document.getElementById("job-done").hidden = false;
            window.location.assign(link.href);
            return;
          }
          if (s.status === "failed") {
            document.getElementById("job-error-text").textContent = s.error || "";
            document.getElementById("job-error-hint").textContent = s.hint || "";
            document.getElementById("job-error").hidden = false;
            return;
          }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    poll();
  }

  // ---- review page: do not lose typed edits by navigating away ----------------------------------
  var review = document.getElementById("review-form");
  if (review) {
    var dirty = false;
    review.addEventListener("input", function () { dirty = true; });
    review.addEventListener("submit", function () { dirty = false; });
    // Enter in a one-line field must not save a permanent version: saving is the Save button only
    // (the disabled first button already blocks the browser's implicit submission; this also keeps
    // Enter from doing anything surprising in browsers that treat it differently)
    review.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button"
          && t.type !== "checkbox" && t.type !== "radio") {
        event.preventDefault();
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    // a textarea as tall as its text: an agreement or the closing must be readable without scrolling
    // inside a small box, above all on a phone
    var grow = function (area) {
      area.style.height = "auto";
      area.style.height = (area.scrollHeight + 2) + "px";
    };
    var areas = review.querySelectorAll("textarea");
    for (var i = 0; i < areas.length; i++) { grow(areas[i]); }
    review.addEventListener("input", function (event) {
      if (event.target.tagName === "TEXTAREA") { grow(event.target); }
    });
    window.addEventListener("resize", function () {
      for (var j = 0; j < areas.length; j++) { grow(areas[j]); }
    });
    var firstError = document.querySelector(".field.invalid input, .field.invalid textarea");
    if (firstError) { firstError.focus(); }
  }

  // ---- review page: evidence plays the recording and shows the transcript around it -------------
  var player = document.getElementById("player");
  if (player) {
    var audio = document.getElementById("audio");
    var context = document.getElementById("context");
    var showContext = function (segment) {
      if (!segment) { return; }
      fetch(player.dataset.transcriptUrl + "?segment=" + encodeURIComponent(segment),
            {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          context.textContent = "";
          (data.segments || []).forEach(function (s) {
            var p = document.createElement("p");
            p.className = "seg" + (s.id === segment ? " current" : "");
            p.dataset.start = s.start === null ? "" : s.start;
            var ts = document.createElement("span"); ts.className = "ts"; ts.textContent = s.ts || s.id;
            var who = document.createElement("span"); who.className = "who"; who.textContent = s.speaker ? s.speaker + ":" : "";
            p.appendChild(ts); p.appendChild(who); p.appendChild(document.createTextNode(s.text));
            context.appendChild(p);
          });
          var current = context.querySelector(".current");
          if (current) { current.scrollIntoView({block: "nearest"}); }
        });
    };
    document.addEventListener("click", function (event) {
      var target = event.target.closest(".evidence, .context .seg");
      if (!target) { return; }
      var start = parseFloat(target.dataset.start);
      document.querySelectorAll(".evidence.playing").forEach(function (el) { el.classList.remove("playing"); });
      if (target.classList.contains("evidence")) {
        target.classList.add("playing");
        showContext(target.dataset.segment);
        if (window.matchMedia("(max-width: 900px)").matches) { player.scrollIntoView({behavior: "smooth"}); }
      }
      if (audio && !isNaN(start)) {
        audio.currentTime = start;
        var played = audio.play();
        if (played && played.catch) { played.catch(function () {}); }
      }
    });
  }
})();
