// Marks the page as having JavaScript for the NHS.UK frontend's styles. A file, not inline script (CSP).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
