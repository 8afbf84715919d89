/* The exam page: answers queued in the browser's storage and sent one by one until the server
   acknowledges them (after its commit), so a reload, a crashed tab or a network outage loses
   nothing; the countdown follows the server's deadline and clock; the navigator shows every
   question's state. The server decides everything: this script only reports and displays. */
(function () {
  "use strict";

  var done = document.getElementById("attempt-done");
  if (done) {
    // Handed in: what is still queued can no longer count, and the storage is the seat's.
    forget(done.dataset.attempt);
    return;
  }
  var root = document.getElementById("attempt");
  if (!root) { return; }

  var d = root.dataset;
  var attemptId = d.attempt;
  var QUEUE_KEY = "exam-attempt-" + attemptId + "-queue";
  var SEQ_KEY = "exam-attempt-" + attemptId + "-seq";
  var LARGE_KEY = "exam-large-text";
  var POLL_MS = 5000;
  var MAX_BACKOFF_MS = 15000;

  var csrf = d.csrf;
  // Seat sittings: the save gateway answers saves that carry this ticket without a cookie.
  var saveTicket = d.saveTicket || "";
  var status = d.status;
  var deadlineMs = Number(d.deadlineMs);
  var offsetMs = Number(d.nowMs) - Date.now();   // server clock minus this computer's clock
  var frozenLeft = Number(d.secondsLeft);        // time left while paused
  var stopped = false;                           // time up, ended or signed out: nothing is sent
  var sending = false;
  var backoffMs = 0;
  var retryTimer = null;
  var offline = !navigator.onLine;
  var hadQueue = false;
  var lastFocusLost = 0;

  var timeEl = document.getElementById("time-left");
  var syncEl = document.getElementById("sync-state");
  var noticeEl = document.getElementById("notice");
  var sections = Array.prototype.slice.call(root.querySelectorAll("section.question"));
  var byItem = {};
  sections.forEach(function (s) { byItem[s.dataset.item] = s; });

  // --- storage: the queue and the sequence counter survive reloads and crashes ----------------

  var memory = {};
  function read(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return key in memory ? memory[key] : fallback;
    }
  }
  function write(key, value) {
    memory[key] = value;
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* memory only */ }
  }
  function forget(id) {
    try {
      window.localStorage.removeItem("exam-attempt-" + id + "-queue");
      window.localStorage.removeItem("exam-attempt-" + id + "-seq");
    } catch (e) { /* nothing stored */ }
  }

  // One entry per question: a newer change replaces the older one, which need not be sent.
  var queue = read(QUEUE_KEY, {});
  if (typeof queue !== "object" || queue === null) { queue = {}; }

  function saveQueue() { write(QUEUE_KEY, queue); }

  function nextSeq() {
    // The counter only grows, across reloads and other tabs; a new computer starts above the
    // server's highest number (the page carries it).
    var seq = Math.max(Number(read(SEQ_KEY, 0)) || 0, Number(d.maxSeq) || 0, highestQueued()) + 1;
    write(SEQ_KEY, seq);
    return seq;
  }
  function highestQueued() {
    return Object.keys(queue).reduce(function (top, k) { return Math.max(top, queue[k].seq); }, 0);
  }
  function queued() {
    return Object.keys(queue).map(function (k) { return queue[k]; })
      .sort(function (a, b) { return a.seq - b.seq; });
  }

  // --- messages -----------------------------------------------------------------------------

  function msg(name, n) {
    var text = d["msg" + name] || "";
    return n === undefined ? text : text.replace("{n}", String(n));
  }
  function notice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = !text;
  }

  // --- the questions, the navigator and their save states -----------------------------------

  function answerInputs(section) {
    return Array.prototype.slice.call(section.querySelectorAll("[data-role=answer] input"));
  }
  function flagInput(section) { return section.querySelector("[data-role=flag]"); }

  function choiceOf(section) {
    return answerInputs(section).filter(function (i) { return i.checked; })
      .map(function (i) { return Number(i.value); });
  }

  function show(section, entry) {
    answerInputs(section).forEach(function (input) {
      input.checked = entry.choice.indexOf(Number(input.value)) !== -1;
    });
    flagInput(section).checked = !!entry.flagged;
  }

  function setState(section, state, text) {
    if (!section) { return; }
    section.dataset.save = state;
    var label = section.querySelector("[data-role=state]");
    label.textContent = text !== undefined ? text : msg(stateMessage(state));
    label.className = "save-state " + state;
    refreshNav(section);
  }
  function stateMessage(state) {
    return { saving: "Saving", saved: "Saved", pending: "Pending", offline: "Offline",
      refused: "Refused" }[state] || "Saved";
  }

  function refreshNav(section) {
    var link = document.getElementById("nav-" + section.dataset.number);
    if (!link) { return; }
    var answered = choiceOf(section).length > 0;
    var flagged = flagInput(section).checked;
    var save = section.dataset.save || "";
    link.classList.toggle("answered", answered);
    link.classList.toggle("flagged", flagged);
    ["saving", "pending", "offline", "refused"].forEach(function (s) {
      link.classList.toggle(s, save === s);
    });
    var parts = [answered ? msg("Answered") : msg("Unanswered")];
    if (flagged) { parts.push(msg("Flagged")); }
    if (save && save !== "saved") { parts.push(msg(stateMessage(save))); }
    link.querySelector(".nav-desc").textContent = ", " + parts.join(", ");
    var count = document.getElementById("nav-count");
    if (count) {
      var n = sections.filter(function (s) { return choiceOf(s).length > 0; }).length;
      count.textContent = count.dataset.template.replace("{a}", String(n));
    }
  }

  function refreshSync() {
    var waiting = queued().length;
    if (waiting) { hadQueue = true; }
    syncEl.textContent = waiting === 0 ? msg("AllSaved") : msg(offline ? "UnsentOffline" : "Unsent", waiting);
    syncEl.classList.toggle("waiting", waiting > 0);
    syncEl.classList.toggle("offline", waiting > 0 && offline);
    var submit = document.getElementById("submit-exam");
    if (submit) {
      var flush = document.getElementById("flush-state");
      submit.disabled = waiting > 0;
      flush.hidden = waiting === 0;
      flush.textContent = waiting ? msg(offline ? "FlushOffline" : "FlushWait", waiting) : "";
      if (waiting === 0 && hadQueue) {
        // The lists on this page were drawn before these answers arrived: draw them again.
        hadQueue = false;
        window.location.reload();
      }
    }
  }

  function markQueued() {
    queued().forEach(function (entry) {
      setState(byItem[entry.item], offline ? "offline" : "pending");
    });
    refreshSync();
  }

  // --- sending --------------------------------------------------------------------------------

  function enqueue(section) {
    if (stopped || status !== "in_progress") { return; }
    var entry = { item: Number(section.dataset.item), choice: choiceOf(section),
      flagged: flagInput(section).checked, seq: nextSeq() };
    queue[entry.item] = entry;
    saveQueue();
    setState(section, offline ? "offline" : "pending");
    refreshSync();
    pump();
  }

  function acknowledged(entry) {
    var current = queue[entry.item];
    if (current && current.seq === entry.seq) {
      delete queue[entry.item];
      saveQueue();
      setState(byItem[entry.item], "saved");
    }
  }

  function drop(entry, text) {
    if (queue[entry.item] && queue[entry.item].seq === entry.seq) {
      delete queue[entry.item];
      saveQueue();
    }
    setState(byItem[entry.item], "refused", text);
  }

  function pump() {
    refreshSync();
    if (sending || stopped || status !== "in_progress") { return; }
    var entry = queued()[0];
    if (!entry) { return; }
    sending = true;
    setState(byItem[entry.item], "saving");
    fetch(d.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(saveTicket ? { ticket: saveTicket, item: entry.item, choice: entry.choice,
        flagged: entry.flagged, seq: entry.seq } : entry)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        sending = false;
        answered(entry, response.status, data);
      });
    }).catch(function () {
      sending = false;
      networkFailed();
    });
  }

  function answered(entry, code, data) {
    if (code === 200 && data.ok) {
      if (offline) { reconnected(); }
      backoffMs = 0;
      acknowledged(entry);
      pump();
      return;
    }
    if (code === 409) { return refusedByState(entry, data); }
    if (code === 404) { return signedOut(); }
    if (code === 422 || (code === 400 && data.code)) {
      drop(entry, data.message || msg("Refused"));
      pump();
      return;
    }
    // An expired form token (400 without a code), a busy or restarting server: fetch a fresh
    // token with the state, then try again later; the entry stays queued.
    setState(byItem[entry.item], "pending");
    poll();
    retryLater();
  }

  function refusedByState(entry, data) {
    if (data.code === "paused") {
      status = "paused";
      setState(byItem[entry.item], "pending");
      applyStatus();
      return;
    }
    if (data.code === "over" || data.code === "terminated") {
      stopped = true;
      notice(data.message || msg("TimeUp"));
      lockAnswers(true);
      markQueued();
      poll();
      return;
    }
    setState(byItem[entry.item], "pending");
    retryLater();
  }

  function networkFailed() {
    if (!offline) {
      offline = true;
    }
    markQueued();
    retryLater();
  }

  function retryLater() {
    if (retryTimer) { return; }
    backoffMs = Math.min(backoffMs ? backoffMs * 2 : 1000, MAX_BACKOFF_MS);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      pump();
    }, backoffMs);
  }

  function reconnected() {
    offline = false;
    markQueued();
    report("reconnected");
  }

  function signedOut() {
    stopped = true;
    notice(msg("SignedOut"));
    lockAnswers(true);
    refreshSync();
  }

  // --- the clock and the server's state -------------------------------------------------------

  function secondsLeft() {
    if (status === "paused") { return frozenLeft; }
    if (status !== "in_progress") { return 0; }
    return Math.max(0, Math.floor((deadlineMs - (Date.now() + offsetMs)) / 1000));
  }

  function format(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function tick() {
    var left = secondsLeft();
    timeEl.textContent = format(left);
    timeEl.dataset.seconds = String(left);
    timeEl.classList.toggle("low", left <= 300);
    if (left <= 0 && status === "in_progress" && !stopped) {
      // The server hands the attempt in at its deadline; the page stops sending meanwhile.
      stopped = true;
      notice(msg("TimeUp"));
      lockAnswers(true);
    }
  }

  function lockAnswers(locked) {
    root.querySelectorAll("[data-role=answer], [data-role=flag], [data-role=clear]").forEach(function (el) {
      el.disabled = locked;
    });
  }

  function applyStatus() {
    if (status === "submitted" || status === "terminated") {
      window.location.assign(d.doneUrl);
      return;
    }
    if (status === "paused") {
      notice(msg("Paused"));
      lockAnswers(true);
    } else if (status === "in_progress" && !stopped) {
      if (!noticeEl.hidden && noticeEl.textContent === msg("Paused")) { notice(msg("Resumed")); }
      lockAnswers(false);
      pump();
    }
    tick();
  }

  function poll() {
    fetch(d.stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 404) { signedOut(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        if (offline) { reconnected(); }
        offsetMs = data.now_ms - Date.now();
        deadlineMs = data.deadline_ms;
        frozenLeft = data.seconds_left;
        csrf = data.csrf || csrf;
        // The hand-in form's own token would expire on a summary left open for an hour.
        var hidden = document.querySelector("#submit-form input[name=csrf_token]");
        if (hidden) { hidden.value = csrf; }
        status = data.status;
        if (status === "in_progress" && stopped && secondsLeft() > 0 && noticeEl.textContent === msg("TimeUp")) {
          // More time was given after the page had counted down to zero.
          stopped = false;
          notice("");
        }
        applyStatus();
      })
      .catch(function () { /* offline: the countdown goes on from the last known deadline */ });
  }

  function report(kind) {
    if (status !== "in_progress" && status !== "paused") { return; }
    fetch(d.eventUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ kind: kind })
    }).catch(function () { /* the reconnect after this outage reports it */ });
  }

  // --- one question at a time ------------------------------------------------------------------

  var oneAtATime = root.classList.contains("view-one") && d.page === "paper";

  function numberFromHash() {
    var match = /^#q-(\d+)$/.exec(window.location.hash);
    return match ? Number(match[1]) : 0;
  }

  function showQuestion(number, focus) {
    if (!sections.length) { return; }
    number = Math.min(Math.max(number || 1, 1), sections.length);
    var marked = oneAtATime || numberFromHash() > 0;
    sections.forEach(function (s) {
      var current = marked && Number(s.dataset.number) === number;
      if (oneAtATime) { s.hidden = !current; }
      var link = document.getElementById("nav-" + s.dataset.number);
      link.classList.toggle("current", current);
      if (current) { link.setAttribute("aria-current", "step"); } else { link.removeAttribute("aria-current"); }
    });
    if (focus) {
      document.getElementById("q-" + number + "-h").focus({ preventScroll: true });
    }
    // One question at a time: the page itself does not scroll, so the anchor's jump is undone
    // (it would hide the question's heading under the sticky clock bar).
    if (oneAtATime) { window.scrollTo(0, 0); }
  }

  // --- large text -----------------------------------------------------------------------------

  var largeButton = document.getElementById("large-text");
  function applyLarge(on) {
    document.documentElement.classList.toggle("large-text", on);
    largeButton.setAttribute("aria-pressed", on ? "true" : "false");
  }
  largeButton.addEventListener("click", function () {
    var on = largeButton.getAttribute("aria-pressed") !== "true";
    applyLarge(on);
    write(LARGE_KEY, on);
  });
  applyLarge(read(LARGE_KEY, false) === true);

  // --- start up -------------------------------------------------------------------------------

  // Merge: an answer still queued here is newer than the server's when its number is higher;
  // otherwise the server already holds it (or a newer one) and the entry is done with.
  queued().forEach(function (entry) {
    var section = byItem[entry.item];
    if (!section) { return; }  // the summary page: the server sorts out what is newer
    if (entry.seq > Number(section.dataset.seq)) {
      show(section, entry);
    } else {
      delete queue[entry.item];
    }
  });
  saveQueue();
  sections.forEach(function (s) { refreshNav(s); });
  markQueued();

  sections.forEach(function (section) {
    section.addEventListener("change", function (event) {
      if (event.target.matches("input")) { enqueue(section); }
    });
    section.querySelector("[data-role=clear]").addEventListener("click", function () {
      answerInputs(section).forEach(function (i) { i.checked = false; });
      enqueue(section);
    });
  });

  if (d.page === "paper") {
    showQuestion(numberFromHash(), false);
    window.addEventListener("hashchange", function () { showQuestion(numberFromHash(), true); });
  }

  var form = document.getElementById("submit-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (queued().length) { event.preventDefault(); refreshSync(); }
    });
  }

  window.addEventListener("online", function () {
    backoffMs = 0;
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    reconnected();
    pump();
  });
  window.addEventListener("offline", function () { offline = true; markQueued(); });
  window.addEventListener("blur", function () {
    var at = Date.now();
    if (at - lastFocusLost > 2000) { lastFocusLost = at; report("focus_lost"); }
  });

  applyStatus();
  window.setInterval(tick, 1000);
  window.setInterval(poll, POLL_MS);
  pump();
}());
