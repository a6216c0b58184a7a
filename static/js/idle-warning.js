// Two minutes before the idle sign-out (body data-idle-seconds), say so and offer to stay signed in.
const idleSeconds = Number(document.body.dataset.idleSeconds || 0);
const warnBefore = 120;
let timer;

function warn() {
  if (document.getElementById("painway-idle-warning")) return;
  const box = document.createElement("div");
  box.id = "painway-idle-warning";
  box.className = "nhsuk-warning-callout";
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-labelledby", "painway-idle-warning-title");
  box.innerHTML =
    '<h3 class="nhsuk-warning-callout__label" id="painway-idle-warning-title">You will be signed out soon</h3>' +
    "<p>You have not done anything for a while. To protect patient information you will be signed out in 2 minutes, " +
    "and anything not saved will be lost.</p>" +
    '<button class="nhsuk-button" type="button">Stay signed in</button>';
  box.querySelector("button").addEventListener("click", () => {
    fetch(document.body.dataset.keepAliveUrl, { credentials: "same-origin" }).then(() => {
      box.remove();
      schedule();
    });
  });
  document.querySelector("main").prepend(box);
  box.querySelector("button").focus();
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(warn, Math.max(idleSeconds - warnBefore, 1) * 1000);
}

if (idleSeconds > 0) schedule();
