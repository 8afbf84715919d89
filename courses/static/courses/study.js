/* Study clock: heartbeats while the lesson is visible and the learner is active.
   The server decides what is credited; this script only reports presence. */
(function () {
  "use strict";
  var box = document.getElementById("study-clock");
  if (!box) { return; }
  var endpoint = box.dataset.endpoint;
  var interval = Number(box.dataset.interval) * 1000;
  var idleLimit = Number(box.dataset.idle) * 1000;
  var studied = Number(box.dataset.studied) || 0;
  var timeEl = document.getElementById("lesson-time");
  var stateEl = document.getElementById("clock-state");
  var lastInput = Date.now();
  var running = false;

  function format(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
    return h ? h + ":" + mm : mm;
  }

  function videoPlaying() {
    return Array.prototype.some.call(document.querySelectorAll("video"), function (v) {
      return !v.paused && !v.ended;
    });
  }

  function active() {
    return !document.hidden && (Date.now() - lastInput < idleLimit || videoPlaying());
  }

  // The study ticket in the body identifies the learner, so beats carry no cookie. A refused
  // ticket (expired after hours on one page) falls back to the session and its CSRF token.
  var ticket = box.dataset.ticket || null;
  // Set once the server says nobody is signed in (e.g. the learner signed out in another tab):
  // the page stops reporting rather than sending beats that can never count.
  var signedOut = false;

  // Beats go one after another: a stop beat overtaken by the beat before it would leave the
  // record open, because the server would apply the stop first and then reopen for the late beat.
  var queue = Promise.resolve();

  function send(stop) {
    var clientTime = Date.now();  // the moment of the beat, not of its turn in the queue
    queue = queue.then(function () { return post(stop, clientTime); });
    return queue;
  }

  function post(stop, clientTime) {
    if (signedOut) { return Promise.resolve(); }
    var payload = { enrollment: Number(box.dataset.enrollment),
      lesson: Number(box.dataset.lesson), client_time: clientTime, stop: stop };
    var headers = { "Content-Type": "application/json" };
    if (ticket) {
      payload.ticket = ticket;
    } else {
      headers["X-CSRFToken"] = box.dataset.csrf;
    }
    return fetch(endpoint, { method: "POST", credentials: ticket ? "omit" : "same-origin",
      keepalive: stop, headers: headers, body: JSON.stringify(payload)
    }).then(function (response) {
      if (response.status === 401 && ticket) {
        ticket = null;
        return post(stop, clientTime);
      }
      if (response.status === 401) {
        signedOut = true;
        running = false;
        show("signedOut");
        return;
      }
      return response.json().then(function (data) {
        if (data.credited > 0) {
          studied += data.credited;
          timeEl.textContent = format(studied);
        }
        if (data.refused) { show("refused"); }
      });
    }).catch(function () { /* offline: the time of this beat is simply not credited */ });
  }

  function show(state) {
    stateEl.textContent = stateEl.dataset[state];
    box.classList.toggle("running", state === "running");
  }

  function tick() {
    if (signedOut) { return; }
    if (active()) {
      running = true;
      show("running");
      send(false);
    } else if (running) {
      running = false;
      show("paused");
      send(true);
    }
  }

  function onInput() {
    lastInput = Date.now();
    if (!running && !document.hidden) { tick(); }
  }

  ["keydown", "mousedown", "mousemove", "wheel", "touchstart", "scroll"].forEach(function (name) {
    window.addEventListener(name, onInput, { passive: true });
  });
  document.addEventListener("visibilitychange", tick);
  // Leaving the page cannot wait for the queue: the keepalive request outlives the page.
  window.addEventListener("pagehide", function () { if (running) { running = false; post(true, Date.now()); } });
  window.setInterval(tick, interval);
  tick();
}());
