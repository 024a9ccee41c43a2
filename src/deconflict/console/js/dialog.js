// Asking before something that cannot be taken back (cancelling a notice, withdrawing a
// declaration): a modal <dialog> — the keyboard stays in it, Escape says no — with an optional
// reason. Focus goes back where it was.

import { $ } from "./dom.js";
import { t } from "./i18n.js";

/** The reason typed ("" when none is asked for), or null when the user said no. */
export function ask({ title, text = "", label = "", required = false, confirm, cancel = t("common.keep") }) {
  const dialog = $("#ask");
  const form = $("#ask-form");
  const reason = $("#ask-reason");
  const error = $("#ask-error");
  const back = document.activeElement;
  $("#ask-title").textContent = title;
  $("#ask-text").textContent = text;
  $("#ask-reason-row").hidden = !label;
  $("#ask-reason-label").textContent = label;
  reason.value = "";
  reason.removeAttribute("aria-invalid");
  error.hidden = true;
  $("#ask-confirm").textContent = confirm;
  $("#ask-cancel").textContent = cancel;
  return new Promise((resolve) => {
    const done = (value) => {
      form.removeEventListener("submit", submit);
      reason.removeEventListener("keydown", key);
      $("#ask-cancel").removeEventListener("click", no);
      dialog.removeEventListener("cancel", no);
      if (dialog.open) dialog.close();
      if (back?.isConnected) back.focus();
      resolve(value);
    };
    const submit = (e) => {
      e.preventDefault();
      const value = reason.value.trim();
      if (label && required && !value) {
        reason.setAttribute("aria-invalid", "true");
        error.textContent = t("ask.reason_needed");
        error.hidden = false;
        reason.focus();
        return;
      }
      done(label ? value : "");
    };
    const no = (e) => {
      e?.preventDefault();
      done(null);
    };
    const key = (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit(e); // as in the send box
    };
    form.addEventListener("submit", submit);
    reason.addEventListener("keydown", key);
    $("#ask-cancel").addEventListener("click", no);
    dialog.addEventListener("cancel", no);
    dialog.showModal();
    (label ? reason : $("#ask-cancel")).focus();
  });
}
