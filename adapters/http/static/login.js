// Login page: language switch and the error the server put in the address (?error=failed|throttled).
"use strict";
const TEXT = {
  sv: { title: "Rakel-gateway", username: "Användarnamn", password: "Lösenord", login: "Logga in", hint: "Samma konton som gatewayns MQTT-broker.", failed: "Fel användarnamn eller lösenord.", throttled: "För många försök. Vänta en minut.", other: "English" },
  en: { title: "Rakel gateway", username: "Username", password: "Password", login: "Log in", hint: "The same accounts as the gateway's MQTT broker.", failed: "Wrong username or password.", throttled: "Too many attempts. Wait a minute.", other: "Svenska" },
};
let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("rakelgw-lang") || "sv";
function apply() {
  const t = TEXT[lang] || TEXT.sv;
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-t]")) if (t[el.dataset.t]) el.textContent = t[el.dataset.t];
  document.getElementById("lang").textContent = t.other;
  const err = new URLSearchParams(location.search).get("error");
  document.getElementById("login-error").textContent = err ? t[err] || t.failed : "";
}
document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "sv" ? "en" : "sv";
  localStorage.setItem("rakelgw-lang", lang);
  apply();
});
apply();
